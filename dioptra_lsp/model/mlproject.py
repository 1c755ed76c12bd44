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
from .yamlsafe import compose, construction_refusal, distinct_nodes

# libyaml's loader where PyYAML has it (the experiment reader composes with it too)
from .yamlsafe import _FastLoader as _Loader  # noqa: F401

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

    def problem(self, kind: str, span: Span, message: str, code: str = "", fails: str = "",
                **detail: Any) -> None:
        self.problems.append(Problem(kind, self.path, span, message, tuple(detail.items()), code,
                                     fails))

    def offsets_span(self, start: int, end: int) -> Span:
        return Span(self.index.position(start), self.index.position(end))

    def construct(self, node: yaml.Node) -> Any:
        if node.tag == _STR:   # most keys and values: skip PyYAML's Python-level constructor
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, RecursionError, TypeError, ValueError, OverflowError, KeyError,
                IndexError, AttributeError):
            # PyYAML refuses the file (a "yaml-value" problem says where); read on with the text
            self.loader.recursive_objects = {}
            return getattr(node, "value", None) if isinstance(node, yaml.ScalarNode) else None

    def pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, Any]]:
        """The entries of the dict PyYAML builds from a mapping, as (key node, value node, key):
        merge keys (``<<: *base``) expanded as PyYAML expands them, own keys over merged ones;
        one entry per distinct key, compared as that dict compares them (``1``, ``1.0``,
        ``0x1`` and ``true`` are one key, ``1`` and ``"1"`` two), in the place of its first
        occurrence, with the first key's value (the dict keeps that key object) and the last
        value (the dict takes it); the key node is the last one written."""
        slots: dict[Any, int] = {}
        out: list[tuple[yaml.Node, yaml.Node, Any]] = []
        for k, v in self.merged(node):
            self._put(slots, out, k, v)
        for k, v in node.value:
            if k.tag != _MERGE:
                self._put(slots, out, k, v)
        return out

    def duplicate_keys(self, nodes: list[yaml.Node]) -> None:
        """Reports every key written twice in a mapping (DL110), in every mapping PyYAML builds,
        read or not: compared as the dict compares them; a key replacing a merged one is not."""
        for node in nodes:
            if type(node) is not yaml.MappingNode or len(node.value) < 2:
                continue
            texts = {k.value for k, _ in node.value if k.tag == _STR}
            if len(texts) == len(node.value):   # all text, all different: most mappings
                continue
            seen: dict[Any, tuple[yaml.Node, Any]] = {}
            for k, _ in node.value:
                if k.tag == _MERGE:
                    continue
                key = self.construct(k)
                first = seen.setdefault(_hashable(key), (k, key))
                if first[0] is not k:
                    self._duplicate(k, first[0], first[1])

    def _put(self, slots: dict[Any, int], out: list, k: yaml.Node, v: yaml.Node) -> Any:
        key = self.construct(k)
        hashed = _hashable(key)
        slot = slots.get(hashed)
        if slot is None:
            slots[hashed] = len(out)
            out.append((k, v, key))
        else:
            out[slot] = (k, v, out[slot][2])
        return hashed

    def _duplicate(self, key_node: yaml.Node, first: yaml.Node, key: Any) -> None:
        name = _name(key)
        spelt, first_spelt = (self.source(n).strip("'\"") for n in (key_node, first))
        what = (f"`{name}` is given twice in this mapping" if spelt == first_spelt else
                f"`{spelt}` is the same key as `{first_spelt}` to YAML")
        self.problem("duplicate-key", self.span(key_node),
                     f"key {what}; the last one wins (first at line "
                     f"{self.line_of(first) + 1})", key=name, first_span=self.span(first))

    def merged(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """The pairs ``<<`` keys bring into ``node``, in PyYAML's order (later ones win).  A
        merge of anything but mappings is a YAML error, reported once for the file."""
        out: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            flat = [self.merged(source) + [(k, v) for k, v in source.value if k.tag != _MERGE]
                    for source in sources if isinstance(source, yaml.MappingNode)]
            for pairs in reversed(flat):   # in a list, the first mapping wins
                out.extend(pairs)
        return out

    def keys(self, pairs: list[tuple[yaml.Node, yaml.Node, Any]]) -> tuple[YamlKey, ...]:
        out = []
        for k, v, key in pairs:
            null = v.tag == _NULL and isinstance(v, yaml.ScalarNode)   # _is_null, inlined
            empty = null and v.start_mark.index == v.end_mark.index
            out.append(YamlKey(_name(key), self.span(k), null, None if empty else self.span(v)))
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
        return as_text(self.construct(node))


def _name(key: Any) -> str:
    return key if isinstance(key, str) else as_text(key)


def as_text(value: Any) -> str:
    """``str(value)``, as MLflow makes it of a value; Python refuses that for an integer of more
    than 4300 decimal digits (YAML reads ``0x…`` of any length), and so does MLflow: such a
    value is shown in hexadecimal here, and ``printable`` says whether MLflow can write it."""
    try:
        return str(value)
    except ValueError:
        return _hex_text(value)


def printable(value: Any) -> bool:
    """Whether ``str(value)`` works (MLflow calls it on every value it puts in a command)."""
    try:
        str(value)
    except ValueError:
        return False
    return True


def _hex_text(value: Any) -> str:
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, (list, tuple, set)):
        return "[" + ", ".join(as_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{as_text(k)}: {as_text(v)}" for k, v in value.items()) + "}"
    return object.__repr__(value)


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
    try:
        loader, root = compose(text)
        reader.loader = loader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Span(reader.position(mark), reader.position(mark)) if mark else Span.point(0, 0)
        msg = f"YAML syntax error: {err.problem or err.context}"
        if err.context and err.problem:
            msg = f"YAML syntax error: {err.problem} ({err.context})"
        return _empty(path, text, [Problem("syntax", path, where, msg, fails="load")])
    except (yaml.YAMLError, RecursionError, MemoryError) as err:
        message = ("YAML nesting is too deep to read" if isinstance(err, RecursionError)
                   else f"YAML error: {err}")
        unanalysed = isinstance(err, (RecursionError, MemoryError))
        return _empty(path, text, [Problem("unanalysed" if unanalysed else "syntax", path,
                                           Span.point(0, 0), message,
                                           fails="" if unanalysed else "load")])
    try:
        nodes = distinct_nodes(root)
        blowup = alias_blowup(root, line_of=reader.line_of, nodes=nodes)
        if blowup is not None:
            return _empty(path, text, [Problem("unanalysed", path, reader.span(blowup[0]), blowup[1])])
        # Composed is not loaded: PyYAML may still refuse to build a value (MLflow's first step)
        refusal = construction_refusal(loader, root, nodes, text)
        if refusal is not None:
            reader.problem("syntax", reader.offsets_span(refusal.start, refusal.end),
                           refusal.message, code="yaml-value", fails="load")
        reader.duplicate_keys(nodes)
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
                 line_of=lambda node: node.start_mark.line,
                 nodes: list[yaml.Node] | None = None) -> tuple[yaml.Node, str] | None:
    """(the anchored node to blame, why) when the document, walked as a tree, has more than
    ``allowance`` nodes beyond those written, or an alias inside its own anchor; else None.

    Linear in the distinct nodes: each node's expanded size is computed once (iteratively: the
    graph may be deeper than Python's recursion limit) from its children's.  ``line_of`` gives
    a node's 0-based line for the message (the reader's, in the model's lines); ``nodes`` are
    the distinct nodes when the caller has them (``distinct_nodes``).
    """
    if root is None:
        return None
    if nodes is None:
        nodes = distinct_nodes(root)
    written = len(nodes)
    limit = written + allowance
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
                    f"{written:,} written: the value at line {line_of(node) + 1} alone "
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
    """The project, its problems in the order MLflow's ``load_project`` meets them."""
    path = reader.path
    if root is None:
        reader.problem("structure", Span.point(0, 0),
                       "MLproject is empty; MLflow expects a mapping with `entry_points`",
                       code="empty", fails="load")
        return _empty(path, reader.text, reader.problems)
    if not _is_mapping(root):
        reader.problem("structure", reader.span(root),
                       f"MLproject is a {_kind(root)}, not a mapping; MLflow expects keys "
                       f"`name` and `entry_points`", code="not-a-mapping", fails="load")
        return _empty(path, reader.text, reader.problems)
    pairs = reader.pairs(root)
    top_keys = reader.keys(pairs)
    # MLflow asks its dict for these names: only string keys are found.
    found = {key: (k, v) for k, v, key in pairs if isinstance(key, str)}
    env_keys = [kind for kind in found if kind in ENV_KEYS]
    if len(env_keys) > 1:
        names = ", ".join(f"`{kind}` (line {reader.line_of(found[kind][0]) + 1})" for kind in env_keys)
        for kind in env_keys[1:]:
            reader.problem("structure", reader.span(found[kind][0]),
                           f"more than one environment is given ({names}); MLflow refuses the "
                           f"project. Keep one of conda_env, python_env, docker_env",
                           code="several-environments", fails="load")
    entry_points: list[EntryPoint] = []
    entry_points_node = found.get("entry_points", (None, None))[1]
    if entry_points_node is not None and not _is_mapping(entry_points_node):
        reader.problem("structure", _value_span(reader, *found["entry_points"]),
                       f"`entry_points` is {_a_kind(entry_points_node)}, not a mapping of entry "
                       f"point names", code="entry-points-not-a-mapping", fails="load")
    elif entry_points_node is not None:
        for key_node, value_node, key in reader.pairs(entry_points_node):
            ep = _read_entry_point(reader, key, key_node, value_node)
            if ep is not None:
                entry_points.append(ep)
    environments = [_environment(reader, kind, *found[kind]) for kind in env_keys]
    spark_job = found.get("databricks_spark_job")
    if spark_job is not None and _is_null(spark_job[1]):
        spark_job = None   # MLflow ignores a null `databricks_spark_job`
    if spark_job is not None:
        _check_spark_job(reader, *spark_job, entry_points_node, entry_points, environments)
    elif len(env_keys) == 1:
        _check_environment(reader, environments[0], found[env_keys[0]][1])
    if entry_points_node is None and spark_job is None:
        reader.problem("structure", reader.span(root) if not pairs else top_keys[0].span,
                       "MLproject has no `entry_points` mapping; keys found: "
                       + ", ".join(k.name for k in top_keys), code="no-entry-points", fails="run")
    name = reader.construct(found["name"][1]) if "name" in found else None
    return MLProject(path, path.parent, reader.text, name, tuple(entry_points), top_keys,
                     tuple(environments), tuple(reader.problems))


def _environment(reader: _Reader, kind: str, key_node: yaml.Node, node: yaml.Node) -> EnvironmentRef:
    value = reader.construct(node)
    exists = None
    if kind != "docker_env" and isinstance(value, str) and value:
        exists = fs.exists(reader.path.parent / value)
    return EnvironmentRef(kind, value, reader.span(node), reader.span(key_node), exists)


def _check_environment(reader: _Reader, env: EnvironmentRef, node: yaml.Node) -> None:
    """What MLflow's loader refuses in the one environment key (a false value it skips)."""
    value = env.value
    if not value:
        return
    where = env.key_span if _is_empty(node) else env.span
    if env.kind != "docker_env":
        if not isinstance(value, str):
            reader.problem("structure", where,
                           f"`{env.kind}` is {_a_kind(node)}, not the name of a file; MLflow "
                           f"cannot load this MLproject", code="environment-not-a-file-name",
                           fails="load")
        return
    if not isinstance(value, dict):
        reader.problem("structure", where, f"`docker_env` is {_a_kind(node)}, not a mapping "
                       f"with `image`; MLflow cannot load this MLproject",
                       code="docker-env-not-a-mapping", fails="load")
    elif not value.get("image"):
        reader.problem("structure", env.key_span,
                       "`docker_env` has no `image`; MLflow refuses the project (write "
                       "`docker_env: {image: <name>}`)", code="docker-env-without-image",
                       fails="load")
    elif value.get("volumes") and not (isinstance(value["volumes"], list)
                                       and all(isinstance(v, str) for v in value["volumes"])):
        reader.problem("structure", _entry_span(reader, node, "volumes"),
                       "`docker_env.volumes` is not a list of strings (`[\"/host:/container\"]`); "
                       "MLflow refuses the project", code="docker-env-volumes", fails="load")
    elif value.get("environment") and not (
            isinstance(value["environment"], list)
            and all(isinstance(v, (list, str)) for v in value["environment"])):
        reader.problem("structure", _entry_span(reader, node, "environment"),
                       "`docker_env.environment` is not a list of variable names and [name, "
                       "value] pairs; MLflow refuses the project", code="docker-env-environment",
                       fails="load")


def _entry_span(reader: _Reader, node: yaml.Node, name: str) -> Span:
    """The value of ``name`` in the mapping ``node`` (the mapping when it is not found)."""
    for k, v, key in reader.pairs(node) if isinstance(node, yaml.MappingNode) else ():
        if key == name:
            return _value_span(reader, k, v)
    return reader.span(node)


def _value_span(reader: _Reader, key_node: yaml.Node, node: yaml.Node) -> Span:
    """The value's range, or its key's when the value is empty (``key:`` and nothing)."""
    return reader.span(key_node) if _is_empty(node) else reader.span(node)


def _check_spark_job(reader: _Reader, key_node: yaml.Node, node: yaml.Node,
                     entry_points_node: yaml.Node | None, entry_points: list[EntryPoint],
                     environments: list[EnvironmentRef]) -> None:
    """What MLflow refuses in a ``databricks_spark_job`` project when it loads it."""
    if not _is_mapping(node):
        reader.problem("structure", _value_span(reader, key_node, node),
                       f"`databricks_spark_job` is {_a_kind(node)}, not a mapping with "
                       f"`python_file`, `parameters` and `python_libraries`",
                       code="spark-job-not-a-mapping", fails="load")
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
                       code="spark-job-without-entry", fails="load")
    elif python_file is not None and has_entry_points:
        reader.problem("structure", reader.span(python_file),
                       "a Databricks Spark job takes `databricks_spark_job.python_file` or "
                       f"`entry_points`, not both (`entry_points` is at line "
                       f"{reader.line_of(entry_points_node) + 1}); MLflow refuses the project",
                       code="spark-job-with-both", fails="load")
    for ep in entry_points:
        for param in ep.parameters:
            if param.type == "path":
                reader.problem("structure", param.type_span or param.spec_span,
                               f"a Databricks Spark job has no `path` parameters (`{param.name}` "
                               f"of entry point `{ep.name}`); use `string` or `uri`",
                               code="spark-job-path-parameter", fails="load")
    for env in sorted(environments, key=lambda e: ENV_KEYS[::-1].index(e.kind)):
        reader.problem("structure", env.key_span,
                       f"a Databricks Spark job cannot set `{env.kind}`; MLflow refuses the "
                       f"project (the cluster provides the environment)",
                       code="spark-job-environment", fails="load")


_SET = "tag:yaml.org,2002:set"
_OMAP = ("tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs")


def _is_mapping(node: yaml.Node) -> bool:
    """Whether PyYAML builds a dict from the node (``!!set {a}`` is a set)."""
    return isinstance(node, yaml.MappingNode) and node.tag != _SET


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list of pairs (`!!omap`)" if node.tag in _OMAP else "list"
    if isinstance(node, yaml.MappingNode):
        return "set (`!!set`)" if node.tag == _SET else "mapping"
    return "null" if _is_null(node) else "plain value"


def _a_kind(node: yaml.Node) -> str:
    """The node's kind with its article, plain values as written: "a list", "`42`"."""
    if isinstance(node, yaml.ScalarNode) and not _is_null(node):
        return f"`{_shown(node)}`{_read_as(node)}"
    if _is_null(node):
        return "empty (null)"
    return f"a {_kind(node)}"


_TAG_NAMES = {"int": "an integer", "float": "a number", "bool": "a boolean", "timestamp": "a date",
              "binary": "bytes (`!!binary`)", "null": "null"}


def _read_as(node: yaml.ScalarNode) -> str:
    """", which YAML reads as an integer" for a scalar that is not a string."""
    what = _TAG_NAMES.get(node.tag.rpartition(":")[2]) if node.tag.startswith("tag:yaml.org") else None
    return f", which YAML reads as {what}" if what else ""


def _shown(node: yaml.ScalarNode) -> str:
    text = node.value
    return text if len(text) <= 30 else f"{text[:20]}…"


def _read_entry_point(reader: _Reader, key: Any, key_node: yaml.Node,
                      node: yaml.Node) -> EntryPoint | None:
    name = _name(key)
    if not _is_mapping(node):
        reader.problem("structure", _value_span(reader, key_node, node),
                       f"entry point `{name}` is {_a_kind(node)}, not a mapping with "
                       f"`parameters` and `command`", code="entry-point-not-a-mapping",
                       fails="load")
        return None
    text_key = isinstance(key, str)
    # run-time problems say which entry point they stop (its name's range tells apart `1:`
    # and `"1":`, two entry points to MLflow)
    of_entry = {"entry_point": name, "entry_point_span": reader.span(key_node)}
    if not text_key and isinstance(key_node, yaml.ScalarNode):
        reader.problem("structure", reader.span(key_node),
                       f"entry point `{name}` is named by {_a_kind(key_node)}: MLflow keeps that "
                       f"key, which no `mlflow run -e` name equals, so it cannot be run; quote it "
                       f"(`\"{key_node.value}\":`)", code="entry-point-name-not-a-string",
                       fails="run", **of_entry)
    pairs = reader.pairs(node)
    keys = reader.keys(pairs)
    parameters: list[MLParameter] = []
    parameters_span = None
    command: Command | None = None
    found = {key: (k, v) for k, v, key in pairs if isinstance(key, str)}
    if "parameters" in found:
        k, v = found["parameters"]
        parameters_span = reader.span(k)
        if _is_mapping(v):
            for pk, pv, pkey in reader.pairs(v):
                param = _read_parameter(reader, name, pkey, pk, pv, of_entry)
                if param is not None:
                    parameters.append(param)
        elif _is_null(v):   # MLflow calls None.items()
            reader.problem("structure", _value_span(reader, k, v),
                           f"`parameters` of entry point `{name}` is empty (null); MLflow cannot "
                           f"load this MLproject. Remove the key or write `parameters: {{}}`",
                           code="parameters-not-a-mapping", fails="load")
        else:
            reader.problem("structure", reader.span(v),
                           f"`parameters` of entry point `{name}` is {_a_kind(v)}, not a "
                           f"mapping of parameter names to specs", code="parameters-not-a-mapping",
                           fails="load")
    if "command" in found:
        k, v = found["command"]
        value = reader.construct(v) if isinstance(v, yaml.ScalarNode) else None
        if isinstance(value, str):
            command = _read_command(reader, v)
        else:
            reader.problem("structure", _value_span(reader, k, v),
                           f"`command` of entry point `{name}` is {_a_kind(v)}, not a string; "
                           f"MLflow cannot run it" + (" (quote it)" if value is not None else ""),
                           code="command-not-a-string", fails="run", **of_entry)
    else:
        reader.problem("structure", reader.span(key_node),
                       f"entry point `{name}` has no `command`; MLflow cannot run it",
                       code="no-command", fails="run", **of_entry)
    return EntryPoint(name, reader.span(key_node), tuple(parameters), parameters_span, command, keys,
                      Span(reader.span(key_node).start, reader.span(node).end), text_key)


def _read_parameter(reader: _Reader, ep: str, key: Any, key_node: yaml.Node,
                    node: yaml.Node, of_entry: dict[str, Any]) -> MLParameter | None:
    name = _name(key)
    text_key = isinstance(key, str)
    if isinstance(node, yaml.ScalarNode):
        value = reader.construct(node)
        glued = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(\S.*)$", name)
        if value is None and glued:   # `{lr:float}`: one key "lr:float" with no value
            reader.problem("malformed-flow-mapping", reader.span(key_node),
                           f"`{name}` is read by YAML as one parameter named `{name}` with no "
                           f"spec; write `{glued.group(1)}: {glued.group(2)}` (a space after the "
                           f"colon)", fails="load", key=glued.group(1), value=glued.group(2))
            return None
        if isinstance(value, str):   # short form `name: float`
            _check_parameter_name(reader, ep, name, key_node, text_key, False, of_entry)
            return MLParameter(name, reader.span(key_node), value, reader.span(node), MISSING, None, None,
                               reader.span(node), (), True, None, text_key)
        reader.problem("structure", _value_span(reader, key_node, node),
                       f"parameter `{name}` of entry point `{ep}` is "
                       f"{'empty' if value is None else _a_kind(node)}; write a type "
                       f"(`{name}: string`) or a mapping (`{name}: {{type: string, default: ...}}`)",
                       code="parameter-not-a-spec", fails="load")
        return None
    if not _is_mapping(node):
        reader.problem("structure", reader.span(node),
                       f"parameter `{name}` of entry point `{ep}` is {_a_kind(node)}; write a type "
                       f"or a mapping with `type` and `default`", code="parameter-not-a-mapping",
                       fails="load")
        return None
    pairs = reader.pairs(node)
    keys = reader.keys(pairs)
    ptype: Any = MISSING
    type_span = default_span = None
    default: Any = MISSING
    default_text = None
    for k, v, spec_key in pairs:
        if spec_key == "type":
            ptype, type_span = reader.construct(v), reader.span(v)
        elif spec_key == "default":
            default, default_span = reader.construct(v), reader.span(v)
            default_text = reader.source(v)
    path_exists = _relative_path_exists(reader.path.parent, default) if ptype == "path" else None
    _check_parameter_name(reader, ep, name, key_node, text_key,
                          default is not MISSING and default is not None, of_entry)
    return MLParameter(name, reader.span(key_node), ptype, type_span, default, default_span,
                       default_text, reader.span(node), keys, False, path_exists, text_key)


def _check_parameter_name(reader: _Reader, ep: str, name: str, key_node: yaml.Node,
                          text_key: bool, has_default: bool, of_entry: dict[str, Any]) -> None:
    """A parameter YAML names by a number, boolean, null or date: MLflow keeps that key, so no
    ``-P`` name ever equals it; without a default every run stops on it."""
    if text_key or has_default or not isinstance(key_node, yaml.ScalarNode):
        return
    reader.problem("structure", reader.span(key_node),
                   f"parameter `{name}` of entry point `{ep}` is named by {_a_kind(key_node)}: "
                   f"MLflow keeps that key, which no `-P` name equals, so every run stops with "
                   f"\"No value given for missing parameters\"; quote it "
                   f"(`\"{key_node.value}\":`)",
                   code="parameter-name-not-a-string", fails="run", **of_entry)


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
