"""Whether PyYAML's safe loader builds Python values from a composed YAML document, and if not,
which node it stops on and why.

MLflow reads an MLproject with ``yaml.safe_load``: composing (what the model reads, with
libyaml) is only half of it; building the values can still fail on a file that composes:
a date that is not one (``2024-02-30``), an integer of more than 4300 digits, a tag the safe
loader has no constructor for (``!foo``, ``!!python/name:...``, a bare ``=`` or ``<<`` as a
value), a list or mapping used as a key, a merge key (``<<``) of something other than a
mapping, a malformed ``!!binary``, ``!!omap`` or ``!!bool``...

Building every value costs about as much as composing, so only documents holding a node that
*can* fail are built, by PyYAML's own constructor, exactly as ``safe_load`` builds them (the
same order, so the same first error).  Most files hold only strings, nulls and numbers that
the resolver itself recognised, which are checked without building anything.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _MAP, _SEQ = _TAG + "str", _TAG + "null", _TAG + "map", _TAG + "seq"
_MERGE, _VALUE = _TAG + "merge", _TAG + "value"
_SET = _TAG + "set"
# Scalar tags whose constructor is a pure function of the text: tried on their own, cheaply.
_PURE = {_TAG + t for t in ("int", "float", "bool", "timestamp", "binary")}
_ERRORS = (yaml.YAMLError, ValueError, TypeError, KeyError, IndexError, AttributeError,
           OverflowError)
_TAG_TEXT = re.compile(r"(?:&\S+\s+)?(!\S*)")
# Where libyaml (the C loader) and PyYAML's pure-Python loader, which ``yaml.safe_load`` uses,
# compose differently: a tab as a separator (PyYAML refuses it outside quotes, block scalars
# and comments), a byte order mark after the start (PyYAML refuses it), a tag (`{a: !!str, b}`:
# PyYAML refuses what libyaml reads).  libyaml also refuses a `:` glued to a flow indicator
# (`{a:}`) that PyYAML reads, which shows as a libyaml error.  Files with a tab, a BOM or a
# tag are composed by the pure-Python loader.
_TAG_START = re.compile(r"(?:^|[\s\[{,])!")

try:   # libyaml composes ~10x faster than the pure-Python loader
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]


def compose(text: str) -> tuple[Any, yaml.Node | None]:
    """(loader, root node) of the single document in ``text`` as ``yaml.safe_load`` composes
    it; raises what it raises (``yaml.YAMLError``, RecursionError).  The loader builds values
    from the nodes (``loader.construct_object``); the caller disposes of it."""
    fast = (_FastLoader is not yaml.SafeLoader and "\t" not in text and "\ufeff" not in text
            and ("!" not in text or not _TAG_START.search(text)))
    loader = _FastLoader(text) if fast else yaml.SafeLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        loader.dispose()
        if not fast:
            raise
    loader = yaml.SafeLoader(text)   # libyaml refused: PyYAML has the last word
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


class Refusal:
    """What the safe loader stops on: the node to blame, the range within it (start and end
    offsets into the text) and a message that says why and what would load."""

    __slots__ = ("node", "start", "end", "message")

    def __init__(self, node: yaml.Node | None, start: int, end: int, message: str) -> None:
        self.node, self.start, self.end, self.message = node, start, end, message


def construction_refusal(loader: Any, root: yaml.Node | None, nodes: list[yaml.Node],
                         text: str) -> Refusal | None:
    """The first node ``yaml.safe_load`` fails on when it builds ``root``, or None.

    ``loader`` is the (C) safe loader that composed ``root``; ``nodes`` are the document's
    distinct nodes.  Raises RecursionError when the document is nested too deep to build.
    The nodes are left as they were (PyYAML rewrites merge keys in place while it builds).
    """
    if root is None:
        return None
    scalar = yaml.ScalarNode
    if not any(_may_fail(loader, node) for node in nodes
               if not (type(node) is scalar and (node.tag == _STR or node.tag == _NULL))):
        return None
    saved = [(n, list(n.value), [(k, k.tag) for k, _ in n.value])
             for n in nodes if isinstance(n, yaml.MappingNode)
             and any(k.tag in (_MERGE, _VALUE) for k, _ in n.value)]
    try:
        loader.construct_document(root)
        return None
    except _ERRORS as err:
        return _refusal(err, nodes, text)
    finally:
        for node, value, tags in saved:
            node.value = value
            for key, tag in tags:
                key.tag = tag
        loader.constructed_objects, loader.recursive_objects, loader.state_generators = {}, {}, []


def _may_fail(loader: Any, node: yaml.Node) -> bool:
    """False when building ``node`` (apart from its children) cannot fail."""
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == _STR or tag == _NULL:
            return False
        if tag in _PURE:
            try:
                loader.yaml_constructors[tag](loader, node)
            except _ERRORS:
                return True
            return False
        return True       # no constructor, or one that expects a collection
    if isinstance(node, yaml.SequenceNode):
        return tag != _SEQ
    if tag != _MAP and tag != _SET:
        return True
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            return True   # a list or mapping as a key: unhashable
        if key.tag == _MERGE and not (isinstance(value, yaml.MappingNode) or (
                isinstance(value, yaml.SequenceNode)
                and all(isinstance(v, yaml.MappingNode) for v in value.value))):
            return True
    return False


def _refusal(err: Exception, nodes: list[yaml.Node], text: str) -> Refusal:
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        at = err.problem_mark.index
        starting = [n for n in nodes if n.start_mark.index == at]
        node = min(starting, key=lambda n: n.end_mark.index, default=None)
        problem = err.problem or ""
        if node is None:
            return Refusal(None, at, at, _message(problem))
        start, end = node.start_mark.index, node.end_mark.index
        if problem.startswith("could not determine a constructor"):
            tag = _TAG_TEXT.match(text, start)   # the node's anchor and tag as written
            if tag and tag.group(1):
                end = tag.end(1)
            return Refusal(node, start, end, _message(
                f"PyYAML's safe loader has no constructor for the tag `{_shown_tag(node.tag)}`"
                + (" (a plain `=` or `<<` is read as that tag; quote it)"
                   if node.tag in (_VALUE, _MERGE) else "")))
        if "for merging" in problem:
            return Refusal(node, start, _first_line_end(text, start, end), _message(
                f"a merge key `<<` takes a mapping or a list of mappings, not {_what(node)}"))
        if problem == "found unhashable key":
            return Refusal(node, start, _first_line_end(text, start, end), _message(
                f"a {'list' if isinstance(node, yaml.SequenceNode) else 'mapping'} is used as "
                f"a key; PyYAML cannot make it a key of the dict it builds"))
        return Refusal(node, start, _first_line_end(text, start, end), _message(problem))
    node = _failing_node(err)
    if node is None:   # pragma: no cover - every constructor error passes through a node
        return Refusal(None, 0, 0, _message(str(err)))
    start, end = node.start_mark.index, node.end_mark.index
    return Refusal(node, start, _first_line_end(text, start, end), _value_message(node, err))


def _failing_node(err: BaseException) -> yaml.Node | None:
    """The node PyYAML was building when ``err`` was raised: the innermost constructor frame's
    ``node`` (PyYAML's constructors do not say which value they failed on)."""
    found = None
    tb = err.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "yaml.constructor":
            candidate = frame.f_locals.get("node")
            if isinstance(candidate, yaml.Node):
                found = candidate
        tb = tb.tb_next
    return found


def _value_message(node: yaml.Node, err: Exception) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else ""
    shown = value if len(value) <= 40 else f"{value[:20]}…{value[-8:]}"
    tag = _shown_tag(node.tag)
    if node.tag == _TAG + "timestamp":
        what = f"`{shown}` is read as a date (`{tag}`), but it is not one ({err})"
    elif node.tag == _TAG + "int" and "digits" in str(err):
        digits = sum(c.isdigit() for c in value)
        what = (f"`{shown}` is read as an integer of {digits} digits, more than Python converts "
                f"from text (4300)")
    else:
        what = f"`{shown}` cannot be read as `{tag}` ({type(err).__name__}: {err})"
    return _message(what + "; quote it to keep it as text")


def _what(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        return "null" if node.tag == _NULL else f"`{node.value}`"
    return "that"


def _message(what: str) -> str:
    return f"YAML error: {what}; MLflow's loader (yaml.safe_load) refuses the file"


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _first_line_end(text: str, start: int, end: int) -> int:
    """``end``, or the end of the line ``start`` is on when the node runs over several lines."""
    stop = min((i for i in (text.find("\n", start, end), text.find("\r", start, end)) if i >= 0),
               default=-1)
    return end if stop < 0 else stop


def distinct_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """Every node of the document once (an aliased node once), parents before children.
    Iterative: a document may nest deeper than Python's recursion limit."""
    if root is None:
        return []
    seen: set[int] = set()
    out: list[yaml.Node] = []
    todo = [root]
    mapping, sequence = yaml.MappingNode, yaml.SequenceNode
    while todo:
        node = todo.pop()
        key = id(node)
        if key in seen:
            continue
        seen.add(key)
        out.append(node)
        kind = type(node)
        if kind is mapping:
            for pair in reversed(node.value):
                todo.extend(reversed(pair))
        elif kind is sequence:
            todo.extend(reversed(node.value))
    return out
