"""``@record``: a frozen, slotted dataclass that costs almost nothing to define.

Every front-end imports the model's ~50 data classes at start-up.  On this project's
machines ``@dataclass(frozen=True, slots=True)`` spends 1.1-1.2 ms per class compiling six
generated methods with ``exec``: 55 ms, most of the dry-run's whole start-up budget (the
dry-run must start within 1.5x of ``import click, yaml``).  ``@record`` keeps the
dataclass way of declaring data and the same behaviour:

* fields are the class's annotations, in order, with defaults and ``field(default=...,
  default_factory=..., repr=..., compare=...)`` from :mod:`dataclasses`;
* instances are immutable (``FrozenInstanceError``), compare and hash by their compared
  fields like a dataclass with ``eq=True, frozen=True``, print as ``Name(a=1, b=2)``,
  pickle and copy, and support ``match`` by position;
* ``__slots__`` unless ``slots=False`` (needed for ``functools.cached_property``).

The only method that must be fast per call, ``__init__``, is compiled once, on the first
instance of each class; the others are shared functions driven by ``operator.attrgetter``.
:func:`replace` is the counterpart of :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import FrozenInstanceError
from operator import attrgetter
from typing import Any, Callable, TypeVar

__all__ = ["record", "replace", "record_fields", "FrozenInstanceError"]

T = TypeVar("T")
_NOTHING = dataclasses.MISSING


class _Field:
    """One declared field of a record (what ``dataclasses.Field`` is to a dataclass)."""

    __slots__ = ("name", "default", "default_factory", "repr", "compare")

    def __init__(self, name: str, declared: Any) -> None:
        self.name = name
        if isinstance(declared, dataclasses.Field):
            if not declared.init or declared.kw_only is True:
                raise TypeError(f"{name}: @record supports default, default_factory, repr "
                                f"and compare, not init=False or kw_only")
            self.default, self.default_factory = declared.default, declared.default_factory
            self.repr, self.compare = declared.repr, declared.compare
        else:
            self.default, self.default_factory = declared, _NOTHING
            self.repr = self.compare = True

    @property
    def has_default(self) -> bool:
        return self.default is not _NOTHING or self.default_factory is not _NOTHING


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
    namespace: dict[str, Any] = {"__set": object.__setattr__, "__nothing": _NOTHING}
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
        body.append(f"    __set(self, {f.name!r}, {value})")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass")
    exec(source, namespace)   # noqa: S102 - our own field names, checked as identifiers
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _first_init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    owner = next(c for c in cls.__mro__ if "__record_fields__" in c.__dict__)
    if owner.__dict__["__init__"] is _first_init:
        type.__setattr__(owner, "__init__", _compile_init(owner))
    owner.__init__(self, *args, **kwargs)


def _declared_fields(cls: type) -> list[_Field]:
    inherited: dict[str, _Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            inherited[f.name] = f
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if not name.isidentifier():
            raise TypeError(f"{cls.__name__}: field name {name!r} is not an identifier")
        inherited[name] = _Field(name, cls.__dict__.get(name, _NOTHING))
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
        namespace["__slots__"] = tuple(n for n in names if n in own)
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
        __init__=_first_init,
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


def record(cls: type[T] | None = None, /, *, slots: bool = True) -> Any:
    """Declare an immutable data class: ``@record`` or ``@record(slots=False)``."""
    if cls is None:
        return lambda c: _build(c, slots)
    return _build(cls, slots)


def record_fields(obj_or_cls: Any) -> tuple[_Field, ...]:
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
