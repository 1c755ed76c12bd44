"""The entry-point model: plain immutable data with exact source ranges.

Nothing here imports or runs user code.  Readers (``mlproject.py``, ``script.py``,
``plugins.py``) build these objects; rules and front-ends only read them.
All spans are 0-based lines and 0-based character (code point) columns.
"""

from __future__ import annotations

from bisect import bisect_left
from enum import Enum
from pathlib import Path
from typing import Any

from .record import cached, field, record
from .shell import ShellScript, ShellToken, SimpleCommand
from .source import Span


class _Missing:
    """Marks an absent value (distinct from YAML null / Python None)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


class Unknown:
    """A Python value the linter cannot compute statically (kept with its source text)."""

    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"Unknown({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.source == self.source

    def __hash__(self) -> int:
        return hash(("Unknown", self.source))


@record
class Problem:
    """A fact found while reading a file that a rule turns into a diagnostic.

    ``kind`` is e.g. "syntax" (DL001), "duplicate-key" (DL110), "structure" (DL101), or
    "unanalysed" (DL001 too): a file its runtime may accept but this tool cannot analyse (too
    deep, aliases that never end, an internal error), so nothing about it is known.  ``code``
    names the problem within its kind ("no-command", "entry-points-not-a-mapping", ...), so
    readers decide on it, never on the wording of ``message``.
    """

    kind: str
    path: Path
    span: Span
    message: str
    detail: tuple[tuple[str, Any], ...] = ()
    code: str = ""
    # Where MLflow fails on it: "load" (``load_project`` raises: no entry point runs), "run"
    # (running the entry point it is in fails), "" (MLflow does not fail on it, or this is not
    # an MLproject problem).  Decided by the MLproject reader; the dry-run and rules read it.
    fails: str = ""


# --------------------------------------------------------------------------- MLproject


@record
class YamlKey:
    """A mapping key as written, for unknown-key and flow-mapping checks."""

    name: str          # str() of the constructed key
    span: Span
    value_is_null: bool  # `{type:float}` reads as key "type:float" with a null value
    value_span: Span | None


@record
class Placeholder:
    """A ``{field}`` in the command, as ``str.format`` would see it."""

    name: str                 # the field name ("" for ``{}``)
    raw: str                  # the text including braces
    span: Span                # source range of the whole ``{...}``
    offset: int               # offset of "{" in Command.value
    conversion: str | None    # "r" for ``{x!r}``
    format_spec: str          # "" unless ``{x:...}``
    valid: bool               # False for ``{}``, ``{0}``, ``{x.y}``, ``{x[0]}`` ... (MLflow cannot fill)


@record
class ScriptInvocation:
    """One program run by the command: ``python src/train.py --x {x}``."""

    program: str                 # "python", "bash", "$SHELL", ...
    script: str | None           # "src/train.py" (None for ``python -c``, or when python stops)
    script_token: ShellToken | None
    is_module: bool              # ``python -m pkg.mod``
    args: tuple[ShellToken, ...]  # the words the script receives, in order
    span: Span | None            # range of the whole simple command (None without a source map)
    command: SimpleCommand | None = None   # the simple command: assignments, words, redirections
    # The folder it runs in, relative to the project folder ("" for the folder itself) after
    # the ``cd`` before it; None when bash decides it only at run time.
    workdir: str | None = ""
    # python refuses its own options or exits before running anything ("unknown option -z",
    # "prints its version and exits (-V)"); the script never runs.
    refused: str | None = None


@record
class Command:
    value: str                   # the command string exactly as PyYAML constructs it
    span: Span                   # range of the scalar node
    style: str                   # "", ">", "|", "'", '"'
    placeholders: tuple[Placeholder, ...]
    format_error: str | None     # set when ``str.format`` would raise (unbalanced braces)
    format_error_span: Span | None
    shell: ShellScript           # the command as bash reads it (words, simple commands, errors)
    invocations: tuple[ScriptInvocation, ...]
    # Maps an offset in ``value`` to its source position (exact inside block scalars).
    offset_positions: tuple[tuple[int, int], ...] = field(repr=False, default=())

    @property
    def words(self) -> tuple[ShellToken, ...]:
        """Every word bash reads in the command, in order."""
        return self.shell.words

    @property
    def simple_commands(self) -> tuple[SimpleCommand, ...]:
        """``A=1 prog args > log``, each with its assignments, words and redirections."""
        return self.shell.commands

    @property
    def unclosed_quote(self) -> str | None:
        """A quote bash finds never closed (it refuses the whole command), or None."""
        at = self.shell.unclosed_quote
        return None if at is None else self.value[at]

    @property
    def unclosed_quote_span(self) -> Span | None:
        at = self.shell.unclosed_quote
        return None if at is None else self.span_of(at, at + 1)

    def span_of(self, start: int, end: int) -> Span:
        """Source range of ``value[start:end]`` (the whole scalar's when it could not be mapped)."""
        return table_span(self.offset_positions, self.span, start, end)

    def exact_span_of(self, start: int, end: int) -> Span | None:
        """Source range of ``value[start:end]``, or None when the value's characters could not
        be mapped to the source: what a fix may edit (never the whole command by mistake)."""
        return table_span(self.offset_positions, self.span, start, end) if self.offset_positions else None

    def placeholders_between(self, start: int, end: int) -> tuple[Placeholder, ...]:
        """The placeholders that begin in ``value[start:end]``, in order."""
        offsets, ordered = self._placeholders_by_offset
        return ordered[bisect_left(offsets, start):bisect_left(offsets, end)]

    @cached
    def _placeholders_by_offset(self) -> tuple[tuple[int, ...], tuple[Placeholder, ...]]:
        ordered = tuple(sorted(self.placeholders, key=lambda p: p.offset))
        return tuple(p.offset for p in ordered), ordered


def table_span(table: tuple[tuple[int, int], ...], whole: Span, start: int, end: int) -> Span:
    """Source range of characters ``start:end`` of a scalar whose per-character positions are known."""
    if not table:
        return whole
    a = table[max(0, min(start, len(table) - 1))]
    b = table[max(min(end, len(table)) - 1, 0)]
    return Span.of(a[0], a[1], b[0], b[1] + 1 if end > start else b[1])


class ParameterType(str, Enum):
    STRING = "string"
    FLOAT = "float"
    PATH = "path"
    URI = "uri"


@record
class MLParameter:
    name: str
    name_span: Span
    type: Any                      # the type value as constructed (usually a str); MISSING if absent
    type_span: Span | None
    default: Any                   # constructed default, MISSING if absent, None for null
    default_span: Span | None
    default_text: str | None       # the default scalar as written
    spec_span: Span                # the whole value node (``{type: ..., default: ...}`` or ``float``)
    keys: tuple[YamlKey, ...]      # keys of the spec mapping (for DL102/DL103); () for the short form
    short_form: bool               # ``name: float``
    # A relative ``path`` default (read as MLflow reads it) found under the project folder.
    default_path_exists: bool | None = None
    # False when YAML reads the name as a number, boolean, null or date (``1:``, ``on:``):
    # MLflow keeps that key, so no ``-P`` name (a string) equals it.
    text_key: bool = True

    @property
    def has_default(self) -> bool:
        """Whether MLflow sees a default (``default: null`` and no default are the same to it;
        ``default: ""`` is a default)."""
        return self.default is not MISSING and self.default is not None


@record
class EntryPoint:
    name: str
    name_span: Span
    parameters: tuple[MLParameter, ...]
    parameters_span: Span | None
    command: Command | None
    keys: tuple[YamlKey, ...]
    span: Span
    # False when YAML reads the name as a number, boolean, null or date (``yes:``, ``1:``):
    # MLflow keeps that key, so no ``mlflow run -e`` name equals it.
    text_key: bool = True

    def parameter(self, name: str) -> MLParameter | None:
        return self._parameters_by_name.get(name)

    @cached
    def _parameters_by_name(self) -> dict[str, MLParameter]:
        index: dict[str, MLParameter] = {}
        for p in self.parameters:
            index.setdefault(p.name, p)   # a name declared twice: the first, as a search finds
        return index


@record
class EnvironmentRef:
    kind: str          # "conda_env", "python_env", "docker_env"
    value: Any
    span: Span
    key_span: Span
    exists: bool | None = None     # the named file exists (conda_env / python_env)


@record
class MLProject:
    path: Path                               # the MLproject file
    folder: Path                             # the folder holding it (commands run here)
    text: str
    name: Any
    entry_points: tuple[EntryPoint, ...]
    top_keys: tuple[YamlKey, ...]
    environments: tuple[EnvironmentRef, ...]
    problems: tuple[Problem, ...]            # syntax, structure, duplicate keys

    @property
    def load_refusal(self) -> Problem | None:
        """The problem MLflow's loader stops on (``load_project`` raises, so no entry point
        runs), or None when it loads the file.  The reader lists problems in the order MLflow
        meets them, so this is the one MLflow reports."""
        for problem in self.problems:
            if problem.fails == "load":
                return problem
        return None

    def entry_point(self, name: str) -> EntryPoint | None:
        for ep in self.entry_points:
            if ep.name == name:
                return ep
        return None


# --------------------------------------------------------------------------- Python scripts


@record
class ClickType:
    """A click parameter type as written: ``click.INT``, ``click.Choice(["a"])``, ``int``."""

    kind: str              # "STRING", "INT", "FLOAT", "BOOL", "UUID", "Path", "File", "Choice",
                           # "IntRange", "FloatRange", "DateTime", "Tuple", "unknown"
    args: tuple[tuple[str, Any], ...] = ()   # keyword/positional literal arguments
    source: str = ""       # the expression text, for messages

    def arg(self, name: str, default: Any = None) -> Any:
        for key, value in self.args:
            if key == name:
                return value
        return default


@record
class ClickParam:
    """One ``@click.option`` or ``@click.argument``."""

    kind: str                        # "option" or "argument"
    decls: tuple[str, ...]           # the literal declarations: ("--data-dir", "-d", "data_dir")
    flags: tuple[str, ...]           # primary flags: ("--data-dir", "-d")
    secondary_flags: tuple[str, ...]  # ("--no-x",) of "--x/--no-x"
    dest: str                        # the function argument it fills
    type: ClickType | None           # None when not given (click infers from default)
    required: bool
    default: Any                     # MISSING when absent; Unknown when not literal
    multiple: bool
    nargs: int | Any
    is_flag: bool | None             # None = not given
    flag_value: Any
    count: bool
    help: str | None
    has_callback: bool
    envvar: Any
    span: Span                       # the decorator call
    decl_span: Span                  # the first declaration string
    extra_keywords: tuple[str, ...]  # keywords we did not interpret

    @property
    def all_flags(self) -> tuple[str, ...]:
        return self.flags + self.secondary_flags

    @property
    def has_default(self) -> bool:
        return self.default is not MISSING


@record
class FunctionParam:
    name: str
    kind: str          # "positional_only", "positional_or_keyword", "var_positional", "keyword_only", "var_keyword"
    has_default: bool
    default_source: str | None
    annotation: str | None
    span: Span


@record
class ClickCommand:
    function: str                     # the decorated function's name
    command_name: str                 # click's command name (``train``; underscores become dashes)
    params: tuple[ClickParam, ...]    # in declaration order (top decorator first)
    function_params: tuple[FunctionParam, ...]
    used_names: frozenset[str]        # names loaded in the function body
    uses_dynamic_locals: bool         # ``locals()``, ``**kwargs`` forwarding: usage cannot be judged
    is_group: bool
    span: Span                        # the ``def`` line's name
    decorator_span: Span
    # ``@click.pass_context`` / ``pass_obj`` / a ``make_pass_decorator`` result: click fills the
    # first parameter itself (DL306 must not ask for an option for it).
    passes_context: bool = False
    # Decorators that are not click's (``@common_options``): they may add options we cannot see.
    other_decorators: tuple[str, ...] = ()

    def option_for_flag(self, flag: str) -> ClickParam | None:
        return self._params_by_flag.get(flag)

    @cached
    def _params_by_flag(self) -> dict[str, ClickParam]:
        index: dict[str, ClickParam] = {}
        for p in self.params:
            for flag in p.all_flags:
                index.setdefault(flag, p)   # click lets the first declaration win too
        return index

    @property
    def options(self) -> tuple[ClickParam, ...]:
        return tuple(p for p in self.params if p.kind == "option")


@record
class ValueExpr:
    """A summarised Python expression passed to a task or flow.run."""

    source: str                  # the expression text
    span: Span
    literal: Any                 # the literal value when it is one (MISSING otherwise)
    names: tuple[str, ...]       # plain names it reads (``data_dir``, ``training_dir``)


@record
class KeywordArg:
    name: str | None             # None for ``**mapping``
    span: Span                   # the keyword name (or the ``**`` expression)
    value: ValueExpr


@record
class FlowParameter:
    """``x = Parameter("x", default=...)`` inside a Flow block."""

    name: Any                    # the literal name string; Unknown if not literal
    name_span: Span
    variable: str | None         # the name it is bound to (after tuple unpacking)
    variable_span: Span | None
    has_default: bool
    required_kw: bool            # Parameter(..., required=True)
    span: Span                   # the call


@record
class Unpacking:
    """``a, b = call_task(...)``: the result is iterated, so Prefect must know its length."""

    count: int                   # names on the left (a starred one not counted)
    starred: bool                # ``a, *rest = ...``: at least ``count`` outputs will do
    span: Span                   # the left-hand side


@record
class CallTask:
    """``pyplugs.call_task(package, module, function, **kwargs)``."""

    package: Any                 # resolved string, or Unknown
    module: Any
    function: Any                # resolved string, Unknown, or None (first registered)
    package_span: Span
    module_span: Span | None
    function_span: Span | None
    positional: tuple[ValueExpr, ...]   # positional arguments after the function name
    keywords: tuple[KeywordArg, ...]
    targets: tuple[str, ...]     # names the result is bound to (``a, b = call_task(...)``)
    span: Span                   # the whole call
    name_span: Span              # ``call_task`` (the callee)
    index: int                   # order within the flow block
    unpacking: Unpacking | None = None   # set when the result is tuple-unpacked


@record
class OtherCall:
    """A call in a Flow block that is not call_task / Parameter (DL401 material)."""

    callee: str                  # dotted name as written ("logger.info", "helper", "dict")
    span: Span                   # the callee expression
    inside_call_task: bool       # an argument expression of a call_task
    call_span: Span


@record
class FlowRun:
    """``flow.run(parameters=dict(...))``."""

    receiver: str                # "flow"
    keys: tuple[KeywordArg, ...]  # each key with its value expression
    dynamic: bool                # parameters given as something we cannot list (a variable, **x)
    span: Span
    function: str | None         # enclosing function
    flow_function: str | None    # the function that builds the flow it runs, when known


@record
class Flow:
    name: Any                          # Flow("name")
    variable: str | None               # ``as flow``
    function: str | None               # enclosing function (``init_flow``)
    parameters: tuple[FlowParameter, ...]
    call_tasks: tuple[CallTask, ...]
    other_calls: tuple[OtherCall, ...]
    used_names: frozenset[str]         # names loaded anywhere in the block
    # Names loaded, mapped to how many times: for "is this Parameter used by a task".
    task_input_names: frozenset[str]   # names appearing in call_task arguments
    span: Span                         # the ``with`` statement


@record
class PythonScript:
    path: Path
    text: str
    commands: tuple[ClickCommand, ...]
    main_command: str | None           # function called under ``if __name__ == "__main__"``
    flows: tuple[Flow, ...]
    flow_runs: tuple[FlowRun, ...]
    constants: tuple[tuple[str, Any], ...]   # module-level string constants
    problems: tuple[Problem, ...]            # syntax errors
    # It defines click commands, but running it calls none (no ``__main__`` block, no call).
    commands_never_invoked: bool = False

    @property
    def entry_command(self) -> ClickCommand | None:
        """The click command that runs when the script is executed."""
        if self.main_command:
            for c in self.commands:
                if c.function == self.main_command:
                    return c
        top = [c for c in self.commands if not c.is_group]
        if len(self.commands) == 1:
            return self.commands[0]
        if len(top) == 1 and not self.main_command:
            return top[0]
        return None


# --------------------------------------------------------------------------- task plugins


@record
class ReturnShape:
    """What one ``return`` of a plugin function visibly gives back."""

    kind: str            # "none", "tuple", "list", "dict", "str", "scalar" (a number or bool
                         # literal), "generator" (the function yields), "other" (not visible)
    count: int | None    # items of a literal tuple or list (None when starred or not one)
    span: Span


@record
class PluginFunction:
    name: str
    params: tuple[FunctionParam, ...]
    nout: int | None                  # outputs Prefect knows of: None means "not iterable"
    docstring: str | None
    signature: str                    # ``resize(data_dir: str, image_size: tuple) -> Path``
    span: Span                        # the function name in ``def``
    registered: bool
    # Where ``nout`` comes from: "task_nout" (``@pyplugs.task_nout(2)``), "annotation" (a
    # ``Tuple[a, b]`` return type, which Prefect counts), "none", or "unknown" (computed).
    nout_source: str = "none"
    def_start: Span | None = None     # the ``def`` (or ``async``) keyword: decorators go above
    # Every ``return`` (and an implicit ``None`` when the body can end without one).
    returns: tuple[ReturnShape, ...] = ()

    @property
    def accepts_any_keyword(self) -> bool:
        return any(p.kind == "var_keyword" for p in self.params)

    def unpacking_error(self, unpacking: Unpacking | None) -> str | None:
        """The error Prefect raises while the flow is built when this task's result is
        unpacked as ``unpacking`` says (``a, b = call_task(...)``), or None when that works or
        the output count is not known statically.  DL406 and the dry-run both ask this."""
        if unpacking is None or self.nout_source == "unknown":
            return None
        nout, wanted = self.nout, unpacking.count
        if nout is None:
            return '"Task is not iterable"'
        if unpacking.starred:
            return (None if nout >= wanted else
                    f'"not enough values to unpack (expected at least {wanted}, got {nout})"')
        if nout > wanted:
            return f'"too many values to unpack (expected {wanted})"'
        if nout < wanted:
            return f'"not enough values to unpack (expected {wanted}, got {nout})"'
        return None


@record
class PluginModule:
    path: Path
    dotted: str                       # "dioptra_builtins.data.images"
    functions: tuple[PluginFunction, ...]   # registered functions, in order
    problems: tuple[Problem, ...]
    unregistered: tuple[str, ...] = ()      # module-level functions without @pyplugs.register
    # How this module can write ``task_nout`` given its imports (``pyplugs.task_nout``), or None.
    task_nout_spelling: str | None = None

    def function(self, name: str) -> PluginFunction | None:
        for f in self.functions:
            if f.name == name:
                return f
        return None
