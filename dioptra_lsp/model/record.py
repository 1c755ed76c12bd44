"""``@record``: a frozen, slotted dataclass that costs almost nothing to define.

Every front-end imports the model's ~50 data classes at start-up.  On this project's
machines ``@dataclass(frozen=True, slots=True)`` spends 1.1-1.2 ms per class compiling six
generated methods with ``exec``: 55 ms, most of the dry-run's whole start-up budget (the
dry-run must start within 1.5x of ``import click, yaml``).  ``@record`` keeps the
dataclass way of declaring data and the same behaviour:

* fields are the class's annotations, in order, with defaults and ``field(default=...,
  default_factory=..., repr=..., compare=...)``;
* instances are immutable (``FrozenInstanceError``), compare and hash by their compared
  fields like a dataclass with ``eq=True, frozen=True``, print as ``Name(a=1, b=2)``,
  pickle and copy, and support ``match`` by position;
* ``__slots__`` unless ``slots=False`` (needed for ``functools.cached_property``).

Only ``__init__`` must be fast per call.  A class's first instances are bound by one shared
function; once a class has made enough instances for speed to matter, its own ``__init__``
is compiled (compiling costs ~0.2 ms, which a short run never earns back).  The other
methods are shared functions driven by ``operator.attrgetter``.  :func:`replace` is the
counterpart of :func:`dataclasses.replace`.  The tests hold all of this against a real
dataclass.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Callable, TypeVar, dataclass_transform

__all__ = ["record", "field", "cached", "replace", "record_fields", "FrozenInstanceError"]

T = TypeVar("T")


class _Nothing:
    def __repr__(self) -> str:
        return "<no default>"


_NOTHING: Any = _Nothing()
# Instances a class makes through the shared binder before it gets its own compiled __init__.
COMPILE_AFTER = 100


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a record."""


class FieldSpec:
    """What ``field(...)`` declares for one field; ``name`` is filled in by ``@record``."""

    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, default: Any = _NOTHING, default_factory: Any = _NOTHING,
                 repr: bool = True, compare: bool = True) -> None:   # noqa: A002 - dataclass's word
        if default is not _NOTHING and default_factory is not _NOTHING:
            raise ValueError("a field cannot have both a default and a default_factory")
        self.name = ""
        self.default, self.default_factory = default, default_factory
        self.repr, self.compare = repr, compare

    @property
    def has_default(self) -> bool:
        return self.default is not _NOTHING or self.default_factory is not _NOTHING


def field(*, default: Any = _NOTHING, default_factory: Callable[[], Any] = _NOTHING,
          repr: bool = True, compare: bool = True) -> Any:   # noqa: A002
    """Options of one record field, as in :func:`dataclasses.field`."""
    return FieldSpec(default, default_factory, repr, compare)


class cached:
    """``functools.cached_property`` for records, slotted or not: computed on first use and
    kept beside the fields (not compared, hashed, printed or pickled).  For indexes that turn a
    linear search into a lookup."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        self.slot = f"_cached_{func.__name__}"
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        try:
            return getattr(obj, self.slot)
        except AttributeError:
            value = self.func(obj)
            _set(obj, self.slot, value)
            return value


def _values(getter: Callable[[Any], Any], count: int) -> Callable[[Any], tuple]:
    """attrgetter returns a bare value for one name; records always compare tuples."""
    if count == 0:
        return lambda obj: ()
    if count == 1:
        return lambda obj: (getter(obj),)
    return getter


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _repr(self: Any) -> str:
    cls = type(self)
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}"
                      for f in cls.__record_fields__ if f.repr)
    return f"{cls.__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        values = self.__record_compared__
        return values(self) == values(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_compared__(self))


def _reduce(self: Any) -> tuple:
    # Rebuilt through __init__, so unpickling never assigns to a frozen attribute.
    return (type(self), self.__record_values__(self))


def _compile_init(cls: type) -> Callable[..., None]:
    fields = cls.__record_fields__
    namespace: dict[str, Any] = {"__set": _set, "__nothing": _NOTHING}
    params, body = [], []
    for f in fields:
        if f.default_factory is not _NOTHING:
            namespace[f"__factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=__nothing")
            value = f"__factory_{f.name}() if {f.name} is __nothing else {f.name}"
        elif f.default is not _NOTHING:
            namespace[f"__default_{f.name}"] = f.default
            params.append(f"{f.name}=__default_{f.name}")
            value = f.name
        else:
            params.append(f.name)
            value = f.name
        body.append(f"    __set(__record_self, {f.name!r}, {value})")
    # ``__record_self``, not ``self``: a field may well be called ``self``.
    source = (f"def __init__(__record_self, {', '.join(params)}):\n"
              + ("\n".join(body) or "    pass"))
    exec(source, namespace)   # noqa: S102 - our own field names, checked as identifiers
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _record_class(cls: type) -> type:
    """The record class that declares the fields (``cls`` itself, or a record base)."""
    if "__record_fields__" in cls.__dict__:
        return cls
    return next(c for c in cls.__mro__ if "__record_fields__" in c.__dict__)


def _compiled(cls: type) -> Callable[..., None]:
    init = cls.__dict__["__init__"]
    if init is _bind_init:
        init = _compile_init(cls)
        type.__setattr__(cls, "__init__", init)
        _made.pop(cls, None)
    return init


_made: dict[type, int] = {}


def _bind_init(self: Any, /, *args: Any, **kwargs: Any) -> None:
    """The shared ``__init__`` of a class's first instances: binds the common, correct calls
    itself and hands anything else (and every call once the class is busy) to the compiled
    ``__init__``, so errors read exactly as Python words them."""
    cls = _record_class(type(self))
    made = _made[cls] = _made.get(cls, 0) + 1
    fields = cls.__record_fields__
    if made > COMPILE_AFTER or len(args) > len(fields):
        return _compiled(cls)(self, *args, **kwargs)
    for f, value in zip(fields, args):
        _set(self, f.name, value)
    taken = 0
    for f in fields[len(args):]:
        if f.name in kwargs:
            value = kwargs[f.name]
            taken += 1
        elif f.default is not _NOTHING:
            value = f.default
        elif f.default_factory is not _NOTHING:
            value = f.default_factory()
        else:
            return _compiled(cls)(self, *args, **kwargs)   # a missing argument
        _set(self, f.name, value)
    if taken != len(kwargs):   # unknown keywords, or a value given twice
        return _compiled(cls)(self, *args, **kwargs)
    return None


_set = object.__setattr__


def _declared_fields(cls: type) -> list[FieldSpec]:
    inherited: dict[str, FieldSpec] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            inherited[f.name] = f
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if not name.isidentifier():
            raise TypeError(f"{cls.__name__}: field name {name!r} is not an identifier")
        declared = cls.__dict__.get(name, _NOTHING)
        if type(declared).__module__ == "dataclasses":
            raise TypeError(f"{cls.__name__}.{name}: use record.field(), not dataclasses.field()")
        spec = declared if isinstance(declared, FieldSpec) else FieldSpec(default=declared)
        spec.name = name
        inherited[name] = spec
    fields = list(inherited.values())
    seen_default = False
    for f in fields:
        if f.has_default:
            seen_default = True
        elif seen_default:
            raise TypeError(f"{cls.__name__}: non-default field {f.name!r} follows a default")
    return fields


def _build(cls: type, slots: bool) -> type:
    fields = _declared_fields(cls)
    names = tuple(f.name for f in fields)
    namespace = dict(cls.__dict__)
    for name in names:   # defaults live in __init__; a class attribute would shadow the slot
        namespace.pop(name, None)
    if slots:
        own = set(names) - {n for base in cls.__mro__[1:]
                            for n in base.__dict__.get("__slots__", ())}
        # A ``@cached`` property keeps its value in a slot of its own, outside the fields.
        memo = tuple(v.slot for v in namespace.values() if isinstance(v, cached))
        namespace["__slots__"] = tuple(n for n in names if n in own) + memo
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
    compared = tuple(f.name for f in fields if f.compare)
    namespace.update(
        __record_fields__=tuple(fields),
        __record_values__=staticmethod(_values(attrgetter(*names) if names else None,
                                               len(names))),
        __record_compared__=staticmethod(_values(attrgetter(*compared) if compared else None,
                                                 len(compared))),
        __match_args__=names,
        __init__=_bind_init,
        # A method the class writes itself wins, as with dataclasses.  (Writing __eq__
        # alone makes Python set __hash__ = None; records stay hashable then too.)
        __repr__=namespace.get("__repr__", _repr),
        __eq__=namespace.get("__eq__", _eq),
        __hash__=namespace.get("__hash__") or _hash,
        __setattr__=_frozen_setattr,
        __delattr__=_frozen_delattr,
        __reduce__=_reduce,
    )
    if not slots:
        return _patch(cls, namespace)
    rebuilt = type(cls)(cls.__name__, cls.__bases__, namespace)
    rebuilt.__qualname__ = cls.__qualname__   # lives on the type, not in its __dict__
    return rebuilt


def _patch(cls: type, namespace: dict[str, Any]) -> type:
    for name in ("__record_fields__", "__record_values__", "__record_compared__",
                 "__match_args__", "__init__", "__repr__", "__eq__", "__hash__",
                 "__setattr__", "__delattr__", "__reduce__"):
        type.__setattr__(cls, name, namespace[name])
    for f in namespace["__record_fields__"]:
        if f.name in cls.__dict__:
            type.__delattr__(cls, f.name)
    return cls


# Type checkers then see what a record is: a frozen dataclass whose constructor takes its
# fields (``frozen_default`` is read by mypy and pyright; Python 3.11 stores it as given).
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, slots: bool = True) -> Any:
    """Declare an immutable data class: ``@record`` or ``@record(slots=False)``."""
    if cls is None:
        return lambda c: _build(c, slots)
    return _build(cls, slots)


def record_fields(obj_or_cls: Any) -> tuple[FieldSpec, ...]:
    cls = obj_or_cls if isinstance(obj_or_cls, type) else type(obj_or_cls)
    return cls.__record_fields__


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with some fields changed (like ``dataclasses.replace``)."""
    fields = type(obj).__record_fields__
    unknown = set(changes) - {f.name for f in fields}
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    values = {f.name: changes[f.name] if f.name in changes else getattr(obj, f.name)
              for f in fields}
    return type(obj)(**values)
