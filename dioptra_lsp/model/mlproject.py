"""Read an MLproject file into the model, the way MLflow reads it (PyYAML safe loader, YAML 1.1).

Composing with libyaml's C loader costs ~0.1 ms per file; the node marks give exact positions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from . import command as cmd, fs
from .source import LineIndex, Position, ReadError, Span, line_index, read_source, yaml_agrees
from .types import (
    MISSING,
    Command,
    EntryPoint,
    EnvironmentRef,
    MLParameter,
    MLProject,
    Problem,
    YamlKey,
    table_span,
)

try:  # libyaml is ~20x faster; the pure loader gives the same nodes where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
ENV_KEYS = ("conda_env", "python_env", "docker_env")
TOP_KEYS = ("name", "entry_points", "databricks_spark_job") + ENV_KEYS
ENTRY_POINT_KEYS = ("parameters", "command")
PARAMETER_KEYS = ("type", "default")
#: How many nodes YAML aliases may add to a document when it is walked as a tree.  The composed
#: graph shares an aliased node, but every walk over it (ours, ``str()`` of a default, JSON) visits
#: it once per alias: nine nested levels of nine aliases ("billion laughs", 400 bytes) become
#: 10^9 nodes.  Real MLprojects alias a parameter block or two: a few hundred nodes.
ALIAS_EXPANSION_LIMIT = 100_000
# The line breaks PyYAML counts in its marks (YAML 1.1): the lines ``source`` slices must agree.
# `{type:float}` and `{default 1}` are single odd keys: a known key glued to its value.
_GLUED = re.compile(r"^(?P<key>[A-Za-z_]+)(?P<sep>\s*:\s*|\s+)(?P<value>.+)$", re.S)


def malformed_entry(key: YamlKey, known: tuple[str, ...]) -> tuple[str, str] | None:
    """``("type", "float")`` when the key is ``type:float`` (or ``type float``) with a null value."""
    if not key.value_is_null:
        return None
    m = _GLUED.match(key.name)
    if m and m.group("key") in known:
        return m.group("key"), m.group("value")
    return None


def mlflow_local_path(value: str, parsed: Any = None) -> str | None:
    """The local path MLflow reads a ``path`` value as: the value itself when it has no scheme,
    the path of a ``file:`` URI without a host, %-escapes decoded either way; None for a remote
    URI, which MLflow downloads.  ``""`` comes back as ``""``: MLflow downloads that too.
    Raises ValueError where ``urllib.parse`` does (``[::1``)."""
    from urllib.parse import urlparse

    parsed = urlparse(value) if parsed is None else parsed
    if parsed.scheme and not (parsed.scheme == "file" and not parsed.netloc):
        return None
    return url2pathname(parsed.path if value.startswith("file:") else value)


def url2pathname(path: str) -> str:
    """``urllib.request.url2pathname`` without importing urllib.request (~90 ms: http.client,
    email, ssl).  On POSIX it is ``unquote``; a test pins the two together."""
    if os.name == "nt":   # pragma: no cover - Windows keeps the real one
        from urllib.request import url2pathname as real

        return real(path)
    from urllib.parse import unquote

    return unquote(path)


def _relative_path_exists(folder: Path, value: Any) -> bool | None:
    """Whether a ``path`` default names something under ``folder``, read as MLflow reads it;
    None when that is not for this machine to say (a remote URI, an absolute path: the worker's
    file system) or not a path at all."""
    if not isinstance(value, str):
        return None
    try:
        local = mlflow_local_path(value)
    except ValueError:
        return None
    if not local or os.path.isabs(local):
        return None
    return fs.exists(folder / local)


_new = tuple.__new__


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.index = line_index(text)
        # PyYAML's marks count lines as the model does unless the text holds a break only YAML
        # knows (\x85, U+2028, U+2029); then positions go through the marks' offsets.
        self.agrees = yaml_agrees(text)
        self._yaml_lines: LineIndex | None = None
        self.problems: list[Problem] = []
        self.loader: Any = None

    @property
    def yaml_lines(self) -> LineIndex:
        """The text broken into lines as YAML breaks them (what node marks count)."""
        if self._yaml_lines is None:
            from .yamlscalar import yaml_lines

            self._yaml_lines = self.index if self.agrees else yaml_lines(self.text)
        return self._yaml_lines

    def position(self, mark) -> Position:
        if self.agrees:
            return _new(Position, (mark.line, mark.column))
        return self.index.position(mark.index)

    def span(self, node: yaml.Node) -> Span:
        s, e = node.start_mark, node.end_mark
        if self.agrees:
            # tuple.__new__ directly: ~20 spans per parameter, NamedTuple.__new__ frames add up
            return _new(Span, (_new(Position, (s.line, s.column)), _new(Position, (e.line, e.column))))
        return _new(Span, (self.index.position(s.index), self.index.position(e.index)))

    def line_of(self, node: yaml.Node) -> int:
        """The 0-based model line where ``node`` starts."""
        return self.position(node.start_mark).line

    def problem(self, kind: str, span: Span, message: str, code: str = "", **detail: Any) -> None:
        self.problems.append(Problem(kind, self.path, span, message, tuple(detail.items()), code))

    def construct(self, node: yaml.Node) -> Any:
        if node.tag == _STR:   # most keys and values: skip PyYAML's Python-level constructor
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, RecursionError, TypeError, ValueError, OverflowError):
            return getattr(node, "value", None) if isinstance(node, yaml.ScalarNode) else None

    def pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, str]]:
        """Key/value nodes of a mapping with the key as a string, merge keys (``<<: *base``)
        expanded as PyYAML expands them; reports keys written twice."""
        merged = self.merged(node)
        own = [(k, v) for k, v in node.value if k.tag != _MERGE]
        if not merged:
            return self.own_pairs(own)
        # As the dict PyYAML builds from merged + own pairs: a key keeps its first place and
        # takes its last value; a merged key a later one replaces is never read.
        slots: dict[Any, int] = {}
        out: list[tuple[yaml.Node, yaml.Node, str]] = []
        for k, v in merged:
            key = self.construct(k)
            slot = slots.setdefault(_hashable(key), len(out))
            if slot == len(out):
                out.append((k, v, _name(key)))
            else:
                out[slot] = (k, v, _name(key))
        for k, v, name in self.own_pairs(own):
            slot = slots.pop(_hashable(self.construct(k)), None)   # a second own one: DL110's
            if slot is None:
                out.append((k, v, name))
            else:
                out[slot] = (k, v, name)
        return out

    def merged(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """The pairs ``<<`` keys bring into ``node``, in PyYAML's order (later ones win)."""
        out: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            flat = []
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    self.problem("syntax", self.span(source),
                                 f"YAML error: a merge key `<<` takes a mapping or a list of "
                                 f"mappings, not a {_kind(source)}; PyYAML refuses the file, so "
                                 f"MLflow cannot load it")
                    continue
                flat.append(self.merged(source) + [(k, v) for k, v in source.value
                                                   if k.tag != _MERGE])
            for pairs in reversed(flat):   # in a list, the first mapping wins
                out.extend(pairs)
        return out

    def own_pairs(self, node_value) -> list[tuple[yaml.Node, yaml.Node, str]]:
        # Keys compared as the dict PyYAML builds compares them: `1`, `1.0` and `0x1` are one
        # key, `1` and `"1"` are two.
        seen: dict[Any, yaml.Node] = {}
        out = []
        for key_node, value_node in node_value:
            key = self.construct(key_node)
            name = _name(key)
            key = _hashable(key)
            first = seen.get(key)
            if first is not None:
                spelt, first_spelt = (self.source(n).strip("'\"") for n in (key_node, first))
                what = (f"`{name}` is given twice in this mapping" if spelt == first_spelt else
                        f"`{spelt}` is the same key as `{first_spelt}` to YAML")
                self.problem("duplicate-key", self.span(key_node),
                             f"key {what}; the last one wins (first at line "
                             f"{self.line_of(first) + 1})", key=name, first_span=self.span(first))
            else:
                seen[key] = key_node
            out.append((key_node, value_node, name))
        return out

    def keys(self, pairs: list[tuple[yaml.Node, yaml.Node, str]]) -> tuple[YamlKey, ...]:
        out = []
        for k, v, name in pairs:
            null = v.tag == _NULL and isinstance(v, yaml.ScalarNode)   # _is_null, inlined
            empty = null and v.start_mark.index == v.end_mark.index
            out.append(YamlKey(name, self.span(k), null, None if empty else self.span(v)))
        return tuple(out)

    def source(self, node: yaml.Node) -> str:
        """The node as written when it fits on its line; else its value on one line (a block
        list is shown as the ``[1, 2]`` that MLflow's str() makes of it)."""
        s, e = node.start_mark, node.end_mark
        written = self.text[s.index:e.index]
        if "\n" not in written and "\r" not in written:
            return written
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        return str(self.construct(node))


def _name(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


def _hashable(key: Any) -> Any:
    """The key as the dict PyYAML builds compares it; an unhashable one (PyYAML refuses it)
    by its text."""
    try:
        hash(key)
    except TypeError:
        return ("unhashable", _name(key))
    return key


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _is_empty(node: yaml.Node) -> bool:
    return _is_null(node) and node.start_mark.index == node.end_mark.index


def load_mlproject(path: Path, overlay: dict[Path, str] | None = None) -> MLProject:
    """The MLproject at ``path`` as model data; never raises for bad input."""
    src = read_source(path, overlay)
    if isinstance(src, ReadError):
        return _empty(path, "", [Problem("syntax", path, Span.point(0, 0), src.message)])
    return parse_mlproject(path, src.text)


def _empty(path: Path, text: str, problems: list[Problem]) -> MLProject:
    return MLProject(path, path.parent, text, None, (), (), (), tuple(problems))


def parse_mlproject(path: Path, text: str) -> MLProject:
    reader = _Reader(path, text)
    loader = _Loader(text)
    reader.loader = loader
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Span(reader.position(mark), reader.position(mark)) if mark else Span.point(0, 0)
        msg = f"YAML syntax error: {err.problem or err.context}"
        if err.context and err.problem:
            msg = f"YAML syntax error: {err.problem} ({err.context})"
        return _empty(path, text, [Problem("syntax", path, where, msg)])
    except (yaml.YAMLError, RecursionError, MemoryError) as err:
        message = ("YAML nesting is too deep to read" if isinstance(err, RecursionError)
                   else f"YAML error: {err}")
        kind = "unanalysed" if isinstance(err, (RecursionError, MemoryError)) else "syntax"
        return _empty(path, text, [Problem(kind, path, Span.point(0, 0), message)])
    try:
        blowup = alias_blowup(root, line_of=reader.line_of)
        if blowup is not None:
            return _empty(path, text, [Problem("unanalysed", path, reader.span(blowup[0]), blowup[1])])
        return _read_root(reader, root)
    except RecursionError:
        return _empty(path, text, [Problem("unanalysed", path, Span.point(0, 0),
                                           "YAML nesting is too deep to read")])
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the run
        return _empty(path, text, [Problem(
            "unanalysed", path, Span.point(0, 0), f"dioptra-lint could not analyse this file "
            f"(internal error: {type(err).__name__}: {err}); please report it")])
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def alias_blowup(root: yaml.Node | None, allowance: int = ALIAS_EXPANSION_LIMIT,
                 line_of=lambda node: node.start_mark.line) -> tuple[yaml.Node, str] | None:
    """(the anchored node to blame, why) when the document, walked as a tree, has more than
    ``allowance`` nodes beyond those written, or an alias inside its own anchor; else None.

    Linear in the distinct nodes: each node's expanded size is computed once (iteratively: the
    graph may be deeper than Python's recursion limit) from its children's.  ``line_of`` gives
    a node's 0-based line for the message (the reader's, in the model's lines).
    """
    if root is None:
        return None
    seen: set[int] = set()
    todo = [root]
    while todo:                               # the distinct nodes
        node = todo.pop()
        if id(node) not in seen:
            seen.add(id(node))
            todo.extend(_children(node))
    limit = len(seen) + allowance
    size: dict[int, int] = {}
    open_: set[int] = set()                   # entered, not yet summed: the current ancestors
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            open_.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            size[key] = total
            if total > limit:    # the first (innermost) value to cross the limit
                return node, (
                    f"YAML aliases expand this document past {allowance:,} nodes beyond the "
                    f"{len(seen):,} written: the value at line {line_of(node) + 1} alone "
                    f"expands to {total:,}. MLflow's loader shares repeated values, but every "
                    f"walk over them (a linter's, a JSON dump) takes for ever, so the file is "
                    f"not read further")
            continue
        if key in size:
            continue
        if key in open_:                      # an alias of its own ancestor: endless
            return node, (f"the node anchored at line {line_of(node) + 1} contains an "
                          f"alias of itself: walked as a tree it never ends (MLflow's loader "
                          f"builds a value that contains itself), so the file is not read further")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))
    return None



def _read_root(reader: _Reader, root: yaml.Node | None) -> MLProject:
    path = reader.path
    if root is None:
        reader.problem("structure", Span.point(0, 0),
                       "MLproject is empty; MLflow expects a mapping with `entry_points`",
                       code="empty")
        return _empty(path, reader.text, reader.problems)
    if not isinstance(root, yaml.MappingNode):
        reader.problem("structure", reader.span(root),
                       f"MLproject is a {_kind(root)}, not a mapping; MLflow expects keys "
                       f"`name` and `entry_points`",
                       code="not-a-mapping")
        return _empty(path, reader.text, reader.problems)
    pairs = reader.pairs(root)
    top_keys = reader.keys(pairs)
    name: Any = None
    entry_points: list[EntryPoint] = []
    environments: list[EnvironmentRef] = []
    entry_points_node = None
    spark_job = None   # (key node, value node) of ``databricks_spark_job``
    for key_node, value_node, key in pairs:
        if key == "databricks_spark_job":
            spark_job = (key_node, value_node)
        elif key == "name":
            name = reader.construct(value_node)
        elif key == "entry_points":
            entry_points_node = value_node
        elif key in ENV_KEYS:
            value = reader.construct(value_node)
            exists = None
            if key != "docker_env" and isinstance(value, str) and value:
                exists = fs.exists(path.parent / value)
            environments.append(EnvironmentRef(key, value, reader.span(value_node), reader.span(key_node), exists))
    if entry_points_node is None and spark_job is None:
        reader.problem("structure", reader.span(root) if not pairs else top_keys[0].span,
                       "MLproject has no `entry_points` mapping; keys found: "
                       + ", ".join(k.name for k in top_keys),
                       code="no-entry-points")
    elif entry_points_node is None:
        pass   # a Databricks Spark job may do without: checked below
    elif not isinstance(entry_points_node, yaml.MappingNode):
        reader.problem("structure", reader.span(entry_points_node),
                       f"`entry_points` is a {_kind(entry_points_node)}, not a mapping of entry point names",
                       code="entry-points-not-a-mapping")
    else:
        for key_node, value_node, ep_name in reader.pairs(entry_points_node):
            ep = _read_entry_point(reader, ep_name, key_node, value_node)
            if ep is not None:
                entry_points.append(ep)
    if spark_job is not None:
        _check_spark_job(reader, *spark_job, entry_points_node, entry_points, environments)
    return MLProject(path, path.parent, reader.text, name, tuple(entry_points), top_keys,
                     tuple(environments), tuple(reader.problems))


def _check_spark_job(reader: _Reader, key_node: yaml.Node, node: yaml.Node,
                     entry_points_node: yaml.Node | None, entry_points: list[EntryPoint],
                     environments: list[EnvironmentRef]) -> None:
    """What MLflow refuses in a ``databricks_spark_job`` project when it loads it."""
    if not isinstance(node, yaml.MappingNode):
        reader.problem("structure", reader.span(node) if not _is_empty(node) else reader.span(key_node),
                       f"`databricks_spark_job` is a {_kind(node)}, not a mapping with "
                       f"`python_file`, `parameters` and `python_libraries`",
                       code="spark-job-not-a-mapping")
        return
    python_file = next((v for k, v, key in reader.pairs(node) if key == "python_file"), None)
    if python_file is not None and _is_null(python_file):
        python_file = None
    # MLflow tests the entry point dict it built: ``entry_points: {}`` counts as none.
    has_entry_points = isinstance(entry_points_node, yaml.MappingNode) and bool(entry_points_node.value)
    if python_file is None and not has_entry_points:
        reader.problem("structure", reader.span(key_node),
                       "a Databricks Spark job needs `databricks_spark_job.python_file` or "
                       "`entry_points`; MLflow refuses a project with neither",
                       code="spark-job-without-entry")
    elif python_file is not None and has_entry_points:
        reader.problem("structure", reader.span(python_file),
                       "a Databricks Spark job takes `databricks_spark_job.python_file` or "
                       f"`entry_points`, not both (`entry_points` is at line "
                       f"{reader.line_of(entry_points_node) + 1}); MLflow refuses the project",
                       code="spark-job-with-both")
    for ep in entry_points:
        for param in ep.parameters:
            if param.type == "path":
                reader.problem("structure", param.type_span or param.spec_span,
                               f"a Databricks Spark job has no `path` parameters (`{param.name}` "
                               f"of entry point `{ep.name}`); use `string` or `uri`",
                               code="spark-job-path-parameter")
    for env in environments:
        reader.problem("structure", env.key_span,
                       f"a Databricks Spark job cannot set `{env.kind}`; MLflow refuses the "
                       f"project (the cluster provides the environment)",
                       code="spark-job-environment")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return "null" if _is_null(node) else "plain value"


def _read_entry_point(reader: _Reader, name: str, key_node: yaml.Node,
                      node: yaml.Node) -> EntryPoint | None:
    if not isinstance(node, yaml.MappingNode):
        reader.problem("structure", reader.span(key_node) if _is_empty(node) else reader.span(node),
                       f"entry point `{name}` is a {_kind(node)}, not a mapping with "
                       f"`parameters` and `command`",
                       code="entry-point-not-a-mapping")
        return None
    pairs = reader.pairs(node)
    keys = reader.keys(pairs)
    parameters: list[MLParameter] = []
    parameters_span = None
    command: Command | None = None
    has_command = False
    for k, v, key in pairs:
        if key == "parameters":
            parameters_span = reader.span(k)
            if isinstance(v, yaml.MappingNode):
                for pk, pv, pname in reader.pairs(v):
                    param = _read_parameter(reader, name, pname, pk, pv)
                    if param is not None:
                        parameters.append(param)
            elif not _is_null(v):
                reader.problem("structure", reader.span(v),
                               f"`parameters` of entry point `{name}` is a {_kind(v)}, not a "
                               f"mapping of parameter names to specs",
                               code="parameters-not-a-mapping")
        elif key == "command":
            has_command = True
            if isinstance(v, yaml.ScalarNode) and not _is_null(v):
                command = _read_command(reader, v)
            else:
                reader.problem("structure", reader.span(k) if _is_empty(v) else reader.span(v),
                               f"`command` of entry point `{name}` is a {_kind(v)}, not a string",
                               code="command-not-a-string")
    if not has_command:
        reader.problem("structure", reader.span(key_node),
                       f"entry point `{name}` has no `command`; MLflow cannot run it",
                       code="no-command")
    # Like the dict MLflow builds: a repeated name keeps its first place and its last spec.
    unique: dict[str, MLParameter] = {}
    for param in parameters:
        unique[param.name] = param
    return EntryPoint(name, reader.span(key_node), tuple(unique.values()), parameters_span, command, keys,
                      Span(reader.span(key_node).start, reader.span(node).end))


def _read_parameter(reader: _Reader, ep: str, name: str, key_node: yaml.Node,
                    node: yaml.Node) -> MLParameter | None:
    if isinstance(node, yaml.ScalarNode):
        value = reader.construct(node)
        glued = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(\S.*)$", name)
        if value is None and glued:   # `{lr:float}`: one key "lr:float" with no value
            reader.problem("malformed-flow-mapping", reader.span(key_node),
                           f"`{name}` is read by YAML as one parameter named `{name}` with no "
                           f"spec; write `{glued.group(1)}: {glued.group(2)}` (a space after the "
                           f"colon)", key=glued.group(1), value=glued.group(2))
            return None
        if isinstance(value, str):   # short form `name: float`
            return MLParameter(name, reader.span(key_node), value, reader.span(node), MISSING, None, None,
                               reader.span(node), (), True)
        reader.problem("structure", reader.span(key_node) if _is_empty(node) else reader.span(node),
                       f"parameter `{name}` of entry point `{ep}` is "
                       f"{'empty' if value is None else f'`{reader.source(node)}`'}; write a type "
                       f"(`{name}: string`) or a mapping (`{name}: {{type: string, default: ...}}`)",
                       code="parameter-not-a-spec")
        return None
    if not isinstance(node, yaml.MappingNode):
        reader.problem("structure", reader.span(node),
                       f"parameter `{name}` of entry point `{ep}` is a {_kind(node)}; write a type "
                       f"or a mapping with `type` and `default`",
                       code="parameter-not-a-mapping")
        return None
    pairs = reader.pairs(node)
    keys = reader.keys(pairs)
    ptype: Any = MISSING
    type_span = default_span = None
    default: Any = MISSING
    default_text = None
    for k, v, key in pairs:
        if key == "type":
            ptype, type_span = reader.construct(v), reader.span(v)
        elif key == "default":
            default, default_span = reader.construct(v), reader.span(v)
            default_text = reader.source(v)
    path_exists = _relative_path_exists(reader.path.parent, default) if ptype == "path" else None
    return MLParameter(name, reader.span(key_node), ptype, type_span, default, default_span,
                       default_text, reader.span(node), keys, False, path_exists)


def _read_command(reader: _Reader, node: yaml.ScalarNode) -> Command:
    value = reader.construct(node)
    value = value if isinstance(value, str) else str(value)
    from .yamlscalar import scalar_positions

    s, e = node.start_mark, node.end_mark
    positions = None
    if isinstance(node.value, str) and node.value == value:
        positions = scalar_positions(reader.yaml_lines, (s.line, s.column), (e.line, e.column),
                                     node.style, value)
    if not positions:
        table = ()
    elif reader.agrees:     # YAML's lines are the model's
        table = tuple(positions)
    else:
        starts, position = reader.yaml_lines.starts, reader.index.position
        table = tuple(position(starts[line] + col) for line, col in positions)
    whole = reader.span(node)

    def span_of(start: int, end: int) -> Span:
        return table_span(table, whole, start, end)

    placeholders, error, error_at = cmd.parse_placeholders(value, span_of)
    shell, invocations = cmd.read_shell(value, span_of, template=True)
    return Command(value, whole, node.style or "", placeholders, error,
                   span_of(error_at, error_at + 1) if error_at is not None else None,
                   shell, invocations, table)
