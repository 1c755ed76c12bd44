"""The task engine's type system, as ``validate-experiment`` applies it.

Types are built from an experiment's ``types`` section (plus the builtins ``any``, ``string``,
``integer`` (a subtype of ``number``), ``number``, ``boolean``, ``null``), inferred from
values (a list infers a tuple, a mapping with string keys an enumerated mapping), and
compared with the engine's compatibility rules (a tuple fits a list whose element type fits
every item; two differently named structured types never fit; ``any`` fits only ``any``).

Pure data and functions: the reader never raises on a bad definition, it records the error.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping


class SimpleType:
    __slots__ = ("name", "parent")

    def __init__(self, name: str, parent: "SimpleType | None" = None) -> None:
        self.name, self.parent = name, parent

    def is_strict_subtype_of(self, other: "TaskType") -> bool:
        up = self.parent
        while up is not None:
            if up == other:
                return True
            up = up.parent
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimpleType) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("simple", self.name))

    def __str__(self) -> str:
        return self.name

    __repr__ = __str__


class StructuredType:
    """``kind`` is "list" (``shape`` one type), "tuple" (a tuple of types), "mapping" with
    ``shape`` a tuple of (property, type) pairs (enumerated) or "kvmapping" with ``shape``
    (key type, value type)."""

    __slots__ = ("kind", "shape", "name")

    def __init__(self, kind: str, shape: Any, name: str | None = None) -> None:
        self.kind, self.shape, self.name = kind, shape, name

    def _key(self) -> Any:
        if self.kind == "mapping":
            return frozenset(self.shape)
        return self.shape

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StructuredType) or other.name != self.name:
            return False
        if self.name is not None:
            return True
        return other.kind == self.kind and other._key() == self._key()

    def __hash__(self) -> int:
        return hash(("struct", self.name)) if self.name is not None else hash((self.kind, self._key()))

    def __str__(self) -> str:
        body = describe_shape(self)
        return f"{self.name} ({body})" if self.name else body

    __repr__ = __str__


class UnionType:
    __slots__ = ("members", "name")

    def __init__(self, members: Iterable["TaskType"], name: str | None = None) -> None:
        self.members, self.name = frozenset(members), name

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnionType) or other.name != self.name:
            return False
        return self.name is not None or other.members == self.members

    def __hash__(self) -> int:
        return hash(("union", self.name)) if self.name is not None else hash(self.members)

    def __str__(self) -> str:
        body = "union[" + ", ".join(sorted(str(m) for m in self.members)) + "]"
        return f"{self.name} ({body})" if self.name else body

    __repr__ = __str__


TaskType = SimpleType | StructuredType | UnionType

ANY = SimpleType("any")
NUMBER = SimpleType("number")
INTEGER = SimpleType("integer", NUMBER)
STRING = SimpleType("string")
BOOLEAN = SimpleType("boolean")
NULL = SimpleType("null")
BUILTINS: dict[str, TaskType] = {t.name: t for t in (ANY, STRING, INTEGER, NUMBER, BOOLEAN, NULL)}
STRUCTURE_KEYS = ("mapping", "list", "tuple")   # the engine's order when it looks for one


def describe_shape(t: StructuredType) -> str:
    if t.kind == "list":
        return f"list[{_short(t.shape)}]"
    if t.kind == "tuple":
        return "tuple[" + ", ".join(_short(e) for e in t.shape) + "]"
    if t.kind == "kvmapping":
        return f"mapping[{_short(t.shape[0])}, {_short(t.shape[1])}]"
    return "mapping{" + ", ".join(f"{k}: {_short(v)}" for k, v in t.shape) + "}"


def _short(t: TaskType) -> str:
    return t.name if getattr(t, "name", None) else str(t)


# --------------------------------------------------------------------------- compatibility


def compatible(arg: TaskType, param: TaskType) -> bool:
    """Whether a value of type ``arg`` may be passed where ``param`` is declared."""
    if param == ANY or arg == param:
        return True
    if isinstance(arg, UnionType):
        return all(compatible(m, param) for m in arg.members)
    if isinstance(param, UnionType):
        return any(compatible(arg, m) for m in param.members)
    if isinstance(arg, SimpleType) and isinstance(param, SimpleType):
        return arg.is_strict_subtype_of(param)
    if isinstance(arg, StructuredType) and isinstance(param, StructuredType):
        if arg.name is not None and param.name is not None:
            return False   # named types mean what their names say, whatever their structure
        return _structures_fit(arg, param)
    return False


def _structures_fit(arg: StructuredType, param: StructuredType) -> bool:
    if arg.kind == "tuple" and param.kind == "list":
        return all(compatible(e, param.shape) for e in arg.shape)
    if arg.kind in ("mapping", "kvmapping") and param.kind in ("mapping", "kvmapping"):
        return _mappings_fit(arg, param)
    if arg.kind != param.kind:
        return False
    if arg.kind == "list":
        return compatible(arg.shape, param.shape)
    return len(arg.shape) == len(param.shape) and all(
        compatible(a, p) for a, p in zip(arg.shape, param.shape))


def _mappings_fit(arg: StructuredType, param: StructuredType) -> bool:
    if arg.kind == "mapping" and param.kind == "mapping":
        wanted = dict(param.shape)
        return len(arg.shape) == len(wanted) and all(
            k in wanted and compatible(t, wanted[k]) for k, t in arg.shape)
    if arg.kind == "mapping":   # enumerated into key/value: string keys, every value fits
        key, value = param.shape
        return key is STRING and all(compatible(t, value) for _, t in arg.shape)
    if param.kind == "mapping":
        return False
    return compatible(arg.shape[0], param.shape[0]) and compatible(arg.shape[1], param.shape[1])


def checkable(t: TaskType) -> bool:
    """Whether a type says what Python value it takes: a builtin (other than ``any``) or a
    structure or union of such.  An opaque simple type (``path``, ``model``) is a name the
    experiment gives to whatever the plugin uses; ``any`` takes everything."""
    if isinstance(t, SimpleType):
        return t.name in BUILTINS and t != ANY
    if isinstance(t, UnionType):
        return all(checkable(m) for m in t.members)
    if t.kind == "list":
        return checkable(t.shape)
    if t.kind == "tuple":
        return all(checkable(e) for e in t.shape)
    if t.kind == "kvmapping":
        return checkable(t.shape[0]) and checkable(t.shape[1])
    return all(checkable(v) for _, v in t.shape)


# --------------------------------------------------------------------------- inference

Resolver = Callable[[str], "TaskType | None"]


def is_reference(value: Any) -> bool:
    """``$name`` or ``$step.output``; ``$$x`` is an escaped dollar and a lone ``$`` is text."""
    return isinstance(value, str) and value.startswith("$") and value != "$" \
        and not value.startswith("$$")


def infer(value: Any, resolve: Resolver | None = None) -> TaskType:
    """The type the engine infers for a value; ``resolve`` gives the type of a reference
    (without its ``$``), or None when it cannot (then ``any``)."""
    if isinstance(value, str):
        if resolve is not None and is_reference(value):
            found = resolve(value[1:])
            return found if found is not None else ANY
        return STRING
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if value is None:
        return NULL
    if isinstance(value, Mapping):
        return _infer_mapping(value, resolve)
    if isinstance(value, (str, bytes, bytearray)) or _iterable(value):
        return StructuredType("tuple", tuple(infer(v, resolve) for v in value))
    return ANY


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _infer_mapping(value: Mapping, resolve: Resolver | None) -> TaskType:
    if not value:
        return StructuredType("mapping", ())
    key_type = common_base(infer(k) for k in value)
    if key_type is STRING:
        return StructuredType("mapping", tuple((k, infer(v, resolve)) for k, v in value.items()))
    if key_type is INTEGER:
        values = {infer(v, resolve) for v in value.values()}
        value_type = next(iter(values)) if len(values) == 1 else UnionType(values)
        return StructuredType("kvmapping", (INTEGER, value_type))
    return ANY


def common_base(types: Iterable[TaskType]) -> TaskType:
    result: TaskType | None = None
    for t in types:
        result = t if result is None else _common_of_two(result, t)
    return result if result is not None else ANY


def _common_of_two(a: TaskType, b: TaskType) -> TaskType:
    if not (isinstance(a, SimpleType) and isinstance(b, SimpleType)):
        return ANY
    if a == b:
        return a
    if a.is_strict_subtype_of(b):
        return b
    if b.is_strict_subtype_of(a):
        return a
    up = a.parent
    while up is not None:
        if b.is_strict_subtype_of(up):
            return up
        up = up.parent
    return ANY


# --------------------------------------------------------------------------- the types section


def referenced_type_names(definition: Any) -> Iterator[str]:
    """Every type name a definition refers to, as the engine collects them (an empty
    structure is skipped, the first non-empty structure key wins)."""
    if isinstance(definition, str):
        yield definition
        return
    if not isinstance(definition, Mapping):
        return
    for key in STRUCTURE_KEYS:
        shape = definition.get(key)
        if shape:
            if key == "mapping":
                if isinstance(shape, Mapping):
                    for v in shape.values():
                        yield from referenced_type_names(v)
                elif isinstance(shape, list):
                    for v in shape[:2]:
                        yield from referenced_type_names(v)
            elif key == "list":
                yield from referenced_type_names(shape)
            elif isinstance(shape, list):
                for v in shape:
                    yield from referenced_type_names(v)
            break
    union = definition.get("union")
    if union and isinstance(union, list):
        for v in union:
            yield from referenced_type_names(v)
    parent = definition.get("is_a")
    if parent:
        yield parent if isinstance(parent, str) else str(parent)


class TypeDefinitionError(Exception):
    """A definition the engine cannot build a type from (it raises while validating)."""


class Registry:
    """Type names to types: the builtins plus what ``types`` defines.

    ``errors`` lists (type name, message) for definitions that cannot be built: an undefined
    name, a reference cycle, a builtin redefined, a key type other than string/integer...
    Types that could not be built are missing from ``types``.
    """

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.definitions = definitions
        self.types: dict[str, TaskType] = dict(BUILTINS)
        self.errors: list[tuple[str, str]] = []
        self.cycle: tuple[str, ...] = ()
        self._build()

    def get(self, name: Any) -> TaskType | None:
        return self.types.get(name) if isinstance(name, str) else None

    def _build(self) -> None:
        order = self._sorted()
        if order is None:
            return
        for name in order:
            if name in BUILTINS:
                if name in self.definitions:
                    self.errors.append((name, "it is a builtin type and cannot be redefined"))
                continue
            if name not in self.definitions:
                continue   # an undefined name: reported with the definition that uses it
            try:
                self.types[name] = self._make(name, self.definitions[name])
            except TypeDefinitionError as err:
                self.errors.append((name, str(err)))
            except (KeyError, TypeError, AttributeError, IndexError):
                self.errors.append((name, "its definition cannot be read"))

    def _sorted(self) -> list[str] | None:
        import graphlib

        sorter: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
        for name, definition in self.definitions.items():
            sorter.add(name)
            for dep in referenced_type_names(definition):
                if dep not in self.definitions and dep not in BUILTINS:
                    self.errors.append((name, f"refers to the undefined type `{dep}`"))
                sorter.add(name, dep)
        try:
            return list(sorter.static_order())
        except graphlib.CycleError as err:
            self.cycle = tuple(str(n) for n in err.args[1])
            self.errors.append((self.cycle[0], "type definitions refer to each other in a cycle ("
                                + " -> ".join(self.cycle) + ")"))
            return None

    def _make(self, name: str | None, definition: Any) -> TaskType:
        if definition is None or (isinstance(definition, Mapping) and not _has_structure(definition)
                                  and not definition.get("union")):
            if name is None:
                raise TypeDefinitionError("an inline type must be a structure or a type name")
            parent_name = definition.get("is_a") if isinstance(definition, Mapping) else None
            parent = self._lookup(parent_name) if parent_name else None
            if parent is not None and not isinstance(parent, SimpleType):
                raise TypeDefinitionError(f"`is_a: {parent_name}` names a structured or union type; "
                                          f"only simple types have super-types")
            return SimpleType(name, parent)
        structures = [k for k in STRUCTURE_KEYS if k in definition]
        union = definition.get("union")
        if len(structures) > 1:
            raise TypeDefinitionError("a type has one structure, not " + " and ".join(structures))
        if structures and union:
            raise TypeDefinitionError("a type cannot be both structured and a union")
        if definition.get("is_a") and (structures or union):
            raise TypeDefinitionError("structured and union types cannot have a super-type (`is_a`)")
        if union:
            return UnionType([self._nested(m) for m in union], name)
        kind = structures[0]
        shape = definition[kind]
        if kind == "list":
            return StructuredType("list", self._nested(shape), name)
        if kind == "tuple":
            return StructuredType("tuple", tuple(self._nested(e) for e in shape), name)
        if isinstance(shape, Mapping):
            return StructuredType("mapping", tuple((k, self._nested(v)) for k, v in shape.items()), name)
        key, value = self._nested(shape[0]), self._nested(shape[1])
        if key not in (STRING, INTEGER):
            raise TypeDefinitionError(f"a mapping's key type must be string or integer, not `{_short(key)}`")
        return StructuredType("kvmapping", (key, value), name)

    def _nested(self, definition: Any) -> TaskType:
        if isinstance(definition, str):
            return self._lookup(definition)
        return self._make(None, definition)

    def _lookup(self, name: Any) -> TaskType:
        found = self.types.get(name) if isinstance(name, str) else None
        if found is None:
            raise TypeDefinitionError(f"refers to the undefined type `{name}`")
        return found

    def union_duplicates(self) -> Iterator[tuple[str, list[str]]]:
        """Union definitions listing one member type twice (the engine warns; it keeps one)."""
        for name, definition in self.definitions.items():
            if not isinstance(definition, Mapping) or not isinstance(definition.get("union"), list):
                continue
            if not isinstance(self.types.get(name), UnionType):
                continue
            seen: list[TaskType] = []
            dupes: list[str] = []
            for member in definition["union"]:
                try:
                    t = self._nested(member)
                except TypeDefinitionError:
                    continue
                if t in seen and _short(t) not in dupes:
                    dupes.append(_short(t))
                seen.append(t)
            if dupes:
                yield name, dupes


def _has_structure(definition: Mapping) -> bool:
    return any(k in definition for k in STRUCTURE_KEYS)
