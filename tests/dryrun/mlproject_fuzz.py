"""A hypothesis strategy that writes MLproject files using the YAML features PyYAML's safe loader
reads in surprising ways, for the loader-verdict differential test (test_mlflow_loader.py).

The text is written directly, not dumped from Python values, so every feature MLflow's
``yaml.safe_load`` meets in a hand-written file can appear: anchors and aliases, merge keys
(good and bad), tags (``!!str``, ``!!int``, ``!!binary``, ``!!timestamp``, ``!!set``,
``!!omap``, unknown ones), YAML 1.1 booleans, octals and sexagesimals, dates (valid and
impossible), nulls in every spelling, flow and block styles, block scalars, complex and
non-string keys at every level, duplicate keys, very long integers, directives, several or
empty documents.  Most of a document is a plausible MLproject, so the odd feature sits where
MLflow's loader reads it (an entry point, a parameter spec, a default, the command, an
environment).  Hypothesis shrinks toward the plain choice in every slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

# ------------------------------------------------------------------ scalars, as written

STRINGS = ["x", "echo", "a b", "'quoted'", '"double"', "'it''s'", '"tab\\there"', "''", '""',
           '"1"', "'yes'", "'2024-02-30'", "'~'", "y", "n", "NO_", "0o10", "1e3",
           "2024-1-2", "'{a}'", "x:y", "'#not a comment'"]
NULLS = ["~", "null", "Null", "NULL", ""]
BOOLS = ["yes", "No", "ON", "off", "true", "FALSE", "Yes", "on"]
INTS = ["0", "42", "-7", "010", "0x1F", "0b101", "1_000", "190:20:30", "+12", "0x_1F"]
# Python reads at most 4300 decimal digits into an int (other bases have no limit)
LONG_INTS = ["1" * 4301, "9" * 4300, "-" + "7" * 4301, "0x" + "f" * 4400, "0" + "7" * 4400,
             "1_" * 2200]
FLOATS = ["1.5", "1.0e-3", ".inf", "-.Inf", ".NaN", "1_000.5", "190:20:30.15", "6.8e+5", "0.1"]
DATES = ["2024-01-02", "2024-02-30", "2023-02-29", "2024-13-01", "2001-12-14t21:59:43.10-05:00",
         "2001-12-14 21:59:43.10 -5", "2024-02-29", "2001-12-15T02:59:99Z"]
TAGGED = ["!!str 42", "!!str", "!!int '7'", "!!int abc", "!!int ''", "!!float '1'", "!!float x",
          "!!bool maybe", "!!bool 'yes'", "!!null x", "!!binary aGk=", "!!binary '@@@'",
          "!!binary ''", "!!timestamp 2024-01-02", "!!timestamp nope", "!foo x",
          "!!python/name:os.system ''", "!<tag:yaml.org,2002:str> 5", "!!str ~", "!!null",
          "!!binary ö", "=", "<<"]
SCALAR_POOLS = {"str": STRINGS, "null": NULLS, "bool": BOOLS, "int": INTS, "float": FLOATS,
                "date": DATES, "tagged": TAGGED, "long": LONG_INTS}
# How often each pool is drawn (out of the sum): plain strings most, the refusals rarely.
POOL_WEIGHTS = {"str": 45, "null": 10, "bool": 10, "int": 12, "float": 10, "date": 5, "tagged": 5,
                "long": 2}

COMMANDS = ["echo ok", "echo {a}", "python train.py --a {a} --b {b}", "'echo {a} {b}'",
            '"echo {data_dir}"', "echo {{a}} {a}", "echo {", "42", "yes", "2024-01-01", "~",
            "1.5", "!!str 42", "!!binary aGk=", "!!str", "''", "!!int '3'", "echo {1}",
            "echo {True}", "echo #x"]
TYPES = ["string", "float", "path", "uri", "int", "str", "~", "1", "!!str path", "yes"]
PARAM_NAMES = ["a", "b", "data_dir", "'a'", "1", "on", "~", "true", "1.0", "2024-01-01",
               "!!str 1", "!!binary aGk=", '"b"']
EP_NAMES = ["main", "main", "other", "'main'", "yes", "1", "~", "!!str main", "No"]
TOP_UNKNOWN = ["description", "version", "1", "true", "~", "'name'", "2024-01-01", "x y"]


@dataclass
class Scalar:
    text: str                  # the token as written, tag and quotes included
    block: str | None = None   # a block scalar's body ("|", ">-" ... in text): block context only
    anchor: str | None = None


@dataclass
class Alias:
    name: str


@dataclass
class Mapping:
    pairs: list = field(default_factory=list)   # (key node, value node)
    flow: bool = False
    tag: str | None = None
    anchor: str | None = None


@dataclass
class Sequence:
    items: list = field(default_factory=list)
    flow: bool = False
    tag: str | None = None
    anchor: str | None = None


# ------------------------------------------------------------------ rendering


def _props(node) -> str:
    return " ".join(p for p in (f"&{node.anchor}" if node.anchor else "", node.tag or "") if p)


def flow(node) -> str:
    """The node in flow style (a block scalar or collection is written in flow form too)."""
    if isinstance(node, Alias):
        return f"*{node.name}"
    if isinstance(node, Scalar):
        return _scalar(node, in_flow=True)
    props = _props(node)
    if isinstance(node, Mapping):
        body = ", ".join(f"{_flow_key(k)}: {flow(v)}".rstrip() for k, v in node.pairs)
        return f"{props} {{{body}}}".strip()
    return f"{props} [{', '.join(flow(v) for v in node.items)}]".strip()


def _scalar(node: Scalar, in_flow: bool) -> str:
    text = node.text if node.block is None else _quoted(node.block)
    if in_flow and node.block is None and _plain(text) and (
            any(c in text for c in "{}[],") or " #" in text):
        text = _quoted(text)   # a plain scalar that would end the flow collection
    return f"&{node.anchor} {text}".rstrip() if node.anchor else text


def _plain(text: str) -> bool:
    return not text.startswith(("'", '"', "!", "&", "*"))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _flow_key(key) -> str:
    text = flow(key)
    return f"{text} " if isinstance(key, Alias) else (text or "''")


def block(node, indent: int) -> list[str]:
    """Lines of a block mapping or sequence at ``indent``."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, Mapping):
        for key, value in node.pairs:
            if isinstance(key, (Mapping, Sequence, Alias)) or (isinstance(key, Scalar) and not key.text):
                lines.append(f"{pad}? {flow(key)}")
                lines.extend(_after(f"{pad}:", value, indent))
            else:
                lines.extend(_after(f"{pad}{flow(key)}:", value, indent))
        return lines
    for item in node.items:
        lines.extend(_after(f"{pad}-", item, indent))
    return lines


def _after(head: str, value, indent: int) -> list[str]:
    """``head`` (``key:``, ``-`` or ``:``) followed by ``value``, inline or on the next lines."""
    if isinstance(value, Scalar) and value.block is not None:
        props = f"&{value.anchor} " if value.anchor else ""
        body = [" " * (indent + 2) + line if line else "" for line in value.block.split("\n")]
        return [f"{head} {props}{value.text}"] + body
    if isinstance(value, (Mapping, Sequence)) and not value.flow and (value.pairs if isinstance(
            value, Mapping) else value.items):
        props = _props(value)
        return [f"{head} {props}".rstrip()] + block(value, indent + 2)
    text = _scalar(value, in_flow=False) if isinstance(value, Scalar) else flow(value)
    return [f"{head} {text}".rstrip()]


def render(root) -> str:
    if isinstance(root, (Mapping, Sequence)) and not root.flow and not _props(root) and (
            root.pairs if isinstance(root, Mapping) else root.items):
        return "\n".join(block(root, 0)) + "\n"
    if isinstance(root, Scalar) and root.block is not None:
        return "\n".join(_after("---", root, -2)) + "\n"
    return flow(root) + "\n"


# ------------------------------------------------------------------ generation


class _Writer:
    """Draws an MLproject node by node; anchors are registered once their node is complete, so
    an alias always refers back (no undefined or self-containing aliases)."""

    def __init__(self, draw):
        self.draw = draw
        self.anchors: dict[str, list[str]] = {}   # role -> anchor names
        self.maps: dict[str, list[str]] = {}      # role -> anchors of mappings (merge sources)
        self.count = 0

    def chance(self, percent: int) -> bool:
        """True ``percent`` times in a hundred; shrinks to False."""
        return self.draw(st.integers(0, 99)) >= 100 - percent

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def anchored(self, node, role: str):
        if not isinstance(node, Alias) and self.chance(12):
            self.count += 1
            node.anchor = f"a{self.count}"
            self.anchors.setdefault(role, []).append(node.anchor)
            if isinstance(node, Mapping) and not node.tag:
                self.maps.setdefault(role, []).append(node.anchor)
        return node

    def reuse(self, role: str):
        names = self.anchors.get(role)
        if names and self.chance(15):
            return Alias(self.pick(names))
        return None

    # -- scalars

    def weighted(self, weights: dict):
        """A key of ``weights``, drawn in proportion; shrinks to the first."""
        at = self.draw(st.integers(0, sum(weights.values()) - 1))
        for key, weight in weights.items():
            if at < weight:
                return key
            at -= weight
        raise AssertionError("unreachable")

    def scalar(self, pools=tuple(SCALAR_POOLS)) -> Scalar:
        pool = self.weighted({p: POOL_WEIGHTS[p] for p in pools})
        return Scalar(self.pick(SCALAR_POOLS[pool]))

    def any_value(self, role: str, depth: int = 0):
        again = self.reuse(role)
        if again is not None:
            return again
        if depth < 2 and self.chance(20):
            node = self.collection(lambda: self.any_value(role, depth + 1), key_pool=STRINGS)
        elif self.chance(8):
            node = Scalar(self.pick(["|", ">", "|-", ">+", "|2"]),
                          block=self.pick(["line one\nline two", "echo {a}", "  indented\nx", ""]))
        else:
            node = self.scalar()
        return self.anchored(node, role)

    def collection(self, item, key_pool):
        size = self.draw(st.integers(0, 3))
        flow_ = self.chance(40)
        if self.chance(50):
            return Sequence([item() for _ in range(size)], flow_, self._tag(("!!omap", "!!pairs",
                                                                             "!!seq", "!!map")))
        return Mapping([(self.key(key_pool), item()) for _ in range(size)], flow_,
                       self._tag(("!!set", "!!map", "!!seq", "!foo")))

    def _tag(self, options) -> str | None:
        return self.pick(list(options)) if self.chance(10) else None

    def key(self, pool) -> object:
        """A key: from ``pool`` mostly; a non-string scalar, a complex key or a merge rarely."""
        if self.chance(6):
            return self.scalar(("int", "bool", "null", "float", "date", "tagged"))
        if self.chance(3):
            return self.pick([Sequence([Scalar("a")], True), Mapping([(Scalar("a"), Scalar("1"))], True),
                              Sequence([], True), Mapping([(Scalar("a"), Scalar(""))], True, "!!set")])
        return Scalar(self.pick(pool))

    def mapping(self, entries, role: str, flow_percent: int = 25) -> Mapping:
        """A mapping of ``entries`` (key text, value thunk), maybe with a duplicate key, a merge
        key, an odd key; in flow or block style."""
        pairs = [(Scalar(k), make()) for k, make in entries]
        if pairs and self.chance(8):   # a key given twice (the last wins)
            k, make = self.pick(entries)
            pairs.append((Scalar(k), make()))
        if self.chance(5):
            pairs.insert(self.draw(st.integers(0, len(pairs))), (self.key(STRINGS), self.any_value("any")))
        if self.chance(6 if not self.maps.get(role) else 25):
            pairs.insert(self.draw(st.integers(0, len(pairs))), (Scalar("<<"), self.merge_value(role)))
        node = Mapping(pairs, self.chance(flow_percent), "!!set" if self.chance(1) else None)
        return self.anchored(node, role)

    def merge_value(self, role: str):
        sources = self.maps.get(role, [])
        choice = self.draw(st.integers(0, 9))
        if sources and choice < 5:
            return Alias(self.pick(sources))
        if sources and choice < 7:
            return Sequence([Alias(self.pick(sources)) for _ in range(self.draw(st.integers(1, 2)))], True)
        if choice < 8:
            return Mapping([(Scalar("x"), Scalar("1"))], True)
        return self.any_value(role, 1)   # a scalar or a list: PyYAML refuses to merge it

    # -- the MLproject's parts

    def odd(self, role: str):
        """Something of the wrong shape for ``role``."""
        return self.pick([self.scalar(), Scalar("~"), Sequence([Scalar("a")], self.chance(50)),
                          Mapping([(Scalar("a"), Scalar(""))], True, "!!set"),
                          Sequence([], True, "!!omap"), Mapping([], True, "!!set"),
                          self.any_value(role, 1)])

    def spec(self):
        again = self.reuse("spec")
        if again is not None:
            return again
        if self.chance(5):
            return self.odd("spec")
        if self.chance(30):
            return self.anchored(Scalar(self.pick(TYPES)), "spec")
        entries = []
        if not self.chance(20):
            entries.append(("type", lambda: Scalar(self.pick(TYPES))))
        if not self.chance(30):
            entries.append(("default", lambda: self.any_value("default")))
        if self.chance(3):
            entries.append(self.pick([("type:float", lambda: Scalar("")), ("description", lambda: Scalar("x"))]))
        return self.mapping(entries, "spec", flow_percent=60)

    def parameters(self):
        again = self.reuse("parameters")
        if again is not None:
            return again
        if self.chance(4):
            return self.odd("parameters")
        names = self.draw(st.lists(st.sampled_from(PARAM_NAMES), max_size=3, unique=True))
        return self.mapping([(n, self.spec) for n in names], "parameters")

    def command(self):
        again = self.reuse("command")
        if again is not None:
            return again
        if self.chance(10):
            return Scalar(self.pick([">", "|", ">-"]), block=self.pick(
                ["python x.py\n  --a {a}\n--b {b}", "echo {a}", "echo ok\n"]))
        if self.chance(5):
            return self.odd("command")
        return self.anchored(Scalar(self.pick(COMMANDS)), "command")

    def entry_point(self):
        again = self.reuse("entry")
        if again is not None:
            return again
        if self.chance(4):
            return self.odd("entry")
        entries = []
        if not self.chance(30):
            entries.append(("parameters", self.parameters))
        if not self.chance(8):
            entries.append(("command", self.command))
        if self.draw(st.booleans()):
            entries.reverse()
        return self.mapping(entries, "entry")

    def entry_points(self):
        if self.chance(3):
            return self.odd("entry_points")
        names = self.draw(st.lists(st.sampled_from(EP_NAMES), min_size=1, max_size=3))
        return self.mapping([(n, self.entry_point) for n in names], "entry_points", flow_percent=10)

    def environment(self, kind: str):
        if kind == "docker_env":
            return self.pick([
                Mapping([(Scalar("image"), Scalar("python:3.11"))]),
                Mapping([(Scalar("image"), Scalar(self.pick(["''", "~", "x", "0"])))], True),
                Mapping([(Scalar("image"), Scalar("x")), (Scalar("volumes"), self.pick(
                    [Sequence([Scalar("/a:/a")], True), Sequence([Scalar("1")], True), Scalar("v"),
                     Sequence([], True)]))]),
                Mapping([(Scalar("image"), Scalar("x")), (Scalar("environment"), self.pick(
                    [Sequence([Scalar("A"), Sequence([Scalar("B"), Scalar("c")], True)], True),
                     Sequence([Mapping([(Scalar("a"), Scalar("b"))], True)], True), Scalar("e")]))]),
                Mapping([], True), Scalar(self.pick(["~", "''", "abc", "0", "false"])),
                Sequence([Scalar("x")], True)])
        return Scalar(self.pick(["conda.yaml", "missing.yaml", "''", "~", "5", "[a]", "!!binary aGk=",
                                 "false", "data", "'conda.yaml'"]))

    def spark_job(self):
        return self.pick([Scalar("~"), Scalar("false"), Mapping([], True),
                          Mapping([(Scalar("python_file"), Scalar("train.py"))], True),
                          Mapping([(Scalar("python_file"), Scalar("~"))], True), Scalar("x")])

    def project(self):
        if self.chance(4):
            return self.odd("root")
        entries = []
        if not self.chance(30):
            entries.append(("name", lambda: self.scalar(("str", "int", "null", "tagged"))))
        for _ in range(self.draw(st.integers(0, 1))):
            entries.append((self.pick(TOP_UNKNOWN), lambda: self.any_value("any")))
        if self.chance(20):   # a block to merge or alias later, as real files do
            entries.append(("base", lambda: self.mapping([("command", self.command),
                                                          ("parameters", self.parameters)], "entry")))
        if not self.chance(5):
            entries.append(("entry_points", self.entry_points))
        for kind in ("conda_env", "python_env", "docker_env"):
            if self.chance(12):
                entries.append((kind, lambda kind=kind: self.environment(kind)))
        if self.chance(4):
            entries.append(("databricks_spark_job", self.spark_job))
        order = self.draw(st.permutations(range(len(entries))))
        # "base" keeps its place before entry_points, so its anchors are defined before use
        ordered = [entries[i] for i in order]
        if any(k == "base" for k, _ in ordered):
            ordered.sort(key=lambda e: e[0] != "base")
        return self.mapping(ordered, "root", flow_percent=3)


WRAPPERS = ["{}", "---\n{}", "%YAML 1.1\n---\n{}", "{}...\n", "# a comment\n{}", "{}---\n",
            "{}---\nx: 1\n", "", "# only a comment\n", "---\n...\n", "\ufeff{}", "--- |\n  text\n"]


@st.composite
def mlproject_texts(draw) -> str:
    """The text of an MLproject file: mostly one document, sometimes none or several."""
    body = render(_Writer(draw).project())
    wrapper = WRAPPERS[0] if draw(st.integers(0, 99)) < 85 else draw(st.sampled_from(WRAPPERS))
    text = wrapper.replace("{}", body) if "{}" in wrapper else wrapper
    if draw(st.integers(0, 99)) >= 96:
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 99)) >= 95:   # a tab where a space separates, or at a line's end
        lines = text.split("\n")
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[at] = draw(st.sampled_from([lines[at].replace(": ", ":\t", 1), lines[at] + "\t",
                                          lines[at].replace(" ", "\t", 1)]))
        text = "\n".join(lines)
    return text
