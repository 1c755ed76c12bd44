"""Read an entry-point script with ``ast`` into click commands, Flows and flow.run calls.

One ``ast.parse`` per file; user code is never imported or run.  The pieces live in ``pyread``
(positions, names, literals), ``clickread`` (click commands) and ``flowread`` (Flows, flow.run).
"""

from __future__ import annotations

import ast

from .clickread import click_command, main_command, never_invoked, parse_decls
from .flowread import FlowReader, flow_call, flow_run, run_calls, with_outside_parameters
from .pyread import Text, click_attr, dotted, import_aliases, parse_module, qualified, statements, \
    string_constants, syntax_problem
from .source import FILE_START, SourceText
from .types import Flow, FlowRun, Problem, PythonScript

__all__ = ["parse_decls", "parse_script"]



def parse_script(source: SourceText) -> PythonScript:
    """The static model of one entry-point script.  Never raises."""
    tree, problem = parse_module(source)
    if tree is None:
        return PythonScript(source.path, source.text, (), None, (), (), (), (problem,))
    try:
        return _read(source, tree)
    except (RecursionError, MemoryError, ValueError) as err:
        return PythonScript(source.path, source.text, (), None, (), (), (), (syntax_problem(source, err),))
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the whole run
        problem = Problem("unanalysed", source.path, FILE_START,
                          f"dioptra-lint could not analyse this file (internal error: "
                          f"{type(err).__name__}: {err}); please report it")
        return PythonScript(source.path, source.text, (), None, (), (), (), (problem,))


def _read(source: SourceText, tree: ast.Module) -> PythonScript:
    text = Text(source.text)
    stmts = list(statements(tree.body))
    aliases = import_aliases(tree)
    consts = string_constants(tree.body)
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defs = [n for n, _ in stmts if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.decorator_list]

    group_names = {n.name for n in defs
                   if any(click_attr(qualified(d.func if isinstance(d, ast.Call) else d, aliases)) == "group"
                          for d in n.decorator_list)}
    commands = tuple(c for n in defs for c in [click_command(n, aliases, text, group_names)] if c is not None)

    flows: list[Flow] = []
    for n, owner in stmts:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            found = flow_call(n, aliases)
            if found is not None:
                local = string_constants(functions[owner].body, consts) if owner in functions else consts
                reader = FlowReader(aliases, local, text)
                flow = reader.read(n, found[0], found[1], owner)
                flows.append(with_outside_parameters(flow, n, owner, stmts, reader))
    builders = {f.function for f in flows if f.function}
    flow_vars: dict[tuple[str | None, str], str | None] = {}   # (function, name) -> building function
    for f in flows:
        if f.variable:
            flow_vars[(f.function, f.variable)] = f.function
    local_dicts: dict[tuple[str | None, str], ast.AST] = {}
    for n, owner in stmts:
        target = n.targets[0] if isinstance(n, ast.Assign) and len(n.targets) == 1 else \
            n.target if isinstance(n, ast.AnnAssign) and n.value is not None else None
        if isinstance(target, ast.Name):   # ``flow = init_flow()`` or ``flow: Flow = init_flow()``
            name, value = target.id, n.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in builders:
                flow_vars[(owner, name)] = value.func.id
            elif isinstance(value, ast.Dict) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                                 and value.func.id == "dict"):
                local_dicts[(owner, name)] = value

    runs: list[FlowRun] = []
    for n, owner in run_calls(stmts, text):
        recv = n.func.value
        has_parameters = any(k.arg == "parameters" for k in n.keywords)
        flow_function = None
        if isinstance(recv, ast.Name) and (owner, recv.id) in flow_vars:
            flow_function = flow_vars[(owner, recv.id)]
        elif isinstance(recv, ast.Call) and isinstance(recv.func, ast.Name) and recv.func.id in builders:
            flow_function = recv.func.id                           # init_flow().run(...)
        elif not has_parameters or (qualified(recv, aliases) or "").split(".")[0] == "mlflow":
            continue   # subprocess.run(...), mlflow.run(parameters=...): not a Prefect flow
        dicts = {name: v for (fn, name), v in local_dicts.items() if fn == owner}
        receiver = dotted(recv) or text.node_source(recv)
        runs.append(flow_run(n, receiver, owner, flow_function, dicts, text))

    return PythonScript(
        path=source.path, text=source.text, commands=commands, main_command=main_command(tree, commands),
        flows=tuple(flows), flow_runs=tuple(runs), constants=tuple(consts.items()), problems=(),
        commands_never_invoked=never_invoked(tree, commands))
