"""``@record`` behaves like ``@dataclass(frozen=True, slots=True)``: the dataclass is the oracle."""

import copy
import dataclasses
import functools
import pickle

import pytest

from dioptra_lsp.model import record as record_module, types
from dioptra_lsp.model.record import FrozenInstanceError, field, record, record_fields, replace


def _declare(decorator, name, field):
    class Point:
        """A point."""

        x: int
        y: str = "a"
        hidden: tuple = field(repr=False, default=())
        tags: list = field(default_factory=list, compare=False)

        def moved(self) -> int:
            return self.x + 1

    Point.__name__ = Point.__qualname__ = name   # so pickle finds it in this module
    return decorator(Point)


Rec = _declare(record, "Rec", field)
Dc = _declare(dataclasses.dataclass(frozen=True, slots=True), "Dc", dataclasses.field)

CALLS = [((1,), {}), ((1, "b"), {}), ((), {"x": 2, "tags": [1]}), ((3, "c", (1,), [2]), {})]


@pytest.mark.parametrize("args, kwargs", CALLS)
def test_same_repr_equality_and_hash_as_the_dataclass(args, kwargs):
    r, d = Rec(*args, **kwargs), Dc(*args, **kwargs)
    assert repr(r) == repr(d).replace("Dc(", "Rec(", 1)
    twin = Rec(*args, **kwargs)
    assert r == twin and hash(r) == hash(twin)
    assert (r == Rec(99)) == (d == Dc(99)) is False
    assert r.moved() == d.moved()
    assert r.__match_args__ == d.__match_args__


def test_fields_excluded_from_comparison_do_not_count():
    assert Rec(1, tags=[1]) == Rec(1, tags=[2])
    assert Rec(1, hidden=(1,)) != Rec(1)


def test_comparing_with_another_type_is_not_implemented():
    assert Rec(1).__eq__(Dc(1)) is NotImplemented
    assert Rec(1) != (1, "a", (), [])


def test_instances_are_frozen_and_slotted():
    r = Rec(1)
    with pytest.raises(AttributeError):   # both FrozenInstanceErrors are AttributeErrors
        Dc(1).x = 2
    with pytest.raises(FrozenInstanceError):
        r.x = 2
    with pytest.raises(FrozenInstanceError):
        del r.x
    with pytest.raises((AttributeError, TypeError)):
        object.__setattr__(r, "extra", 1)   # no __dict__: only the declared slots exist
    assert Rec.__slots__ == Dc.__slots__


def test_default_factory_makes_a_new_value_each_time():
    a, b = Rec(1), Rec(1)
    assert a.tags == [] and a.tags is not b.tags


BAD_CALLS = [((), {}), ((1,), {"nope": 2}), ((1, "a", (), [], 5), {}), ((1,), {"x": 2}),
             ((), {"y": "b"})]


def _fresh_class():
    """A new record class, so each test sees both tiers of __init__ from the start."""
    return _declare(record, "Rec", field)


@pytest.mark.parametrize("args, kwargs", BAD_CALLS)
def test_bad_calls_fail_like_the_dataclass_in_both_tiers(args, kwargs):
    fresh = _fresh_class()
    for _ in range(record_module.COMPILE_AFTER + 2):   # first tier, then the compiled one
        with pytest.raises(TypeError) as rec_err:
            fresh(*args, **kwargs)
        with pytest.raises(TypeError) as dc_err:
            Dc(*args, **kwargs)
        assert str(rec_err.value).split("() ")[1] == str(dc_err.value).split("() ")[1]


@pytest.mark.parametrize("args, kwargs", CALLS)
def test_both_tiers_of_init_build_the_same_instance(args, kwargs):
    fresh = _fresh_class()
    made = [fresh(*args, **kwargs) for _ in range(record_module.COMPILE_AFTER + 2)]
    assert fresh.__dict__["__init__"].__qualname__ == "Rec.__init__"   # compiled by now
    assert all(repr(m) == repr(made[0]) and m == made[0] for m in made)
    assert repr(made[0]) == repr(Dc(*args, **kwargs)).replace("Dc(", "Rec(", 1)


def test_dataclasses_field_is_refused_rather_than_taken_as_a_default():
    with pytest.raises(TypeError, match="record.field"):
        @record
        class Wrong:
            a: int = dataclasses.field(default=1)


def test_pickle_copy_and_replace_round_trip():
    r = Rec(1, "b", (2,), [3])
    assert pickle.loads(pickle.dumps(r)) == r
    assert copy.copy(r) == r and copy.deepcopy(r) == r
    changed = replace(r, y="z")
    assert changed == Rec(1, "z", (2,), [3]) and r.y == "b"
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(r, nope=1)


def test_match_by_position():
    match Rec(5, "q"):
        case Rec(5, y):
            assert y == "q"
        case _:
            pytest.fail("positional match failed")


def test_unslotted_records_allow_cached_properties():
    @record(slots=False)
    class Square:
        side: int

        @functools.cached_property
        def area(self) -> int:
            return self.side * self.side

    s = Square(3)
    assert s.area == 9 and s.area == 9
    with pytest.raises(FrozenInstanceError):
        s.side = 4


def test_a_default_before_a_required_field_is_refused():
    with pytest.raises(TypeError, match="non-default field 'b'"):
        @record
        class Bad:
            a: int = 1
            b: int


def test_inherited_fields_come_first():
    @record
    class Base:
        a: int

    @record
    class Child(Base):
        b: int = 2

    c = Child(1)
    assert (c.a, c.b) == (1, 2)
    assert [f.name for f in record_fields(c)] == ["a", "b"]
    assert repr(c) == "test_inherited_fields_come_first.<locals>.Child(a=1, b=2)"


def test_every_model_type_is_a_record_with_its_annotated_fields():
    classes = [v for v in vars(types).values()
               if isinstance(v, type) and "__record_fields__" in v.__dict__]
    assert len(classes) >= 20
    for cls in classes:
        assert [f.name for f in record_fields(cls)] == list(cls.__annotations__)


def test_a_field_may_be_called_self():
    @record
    class Odd:
        self: int
        other: int = 2

    assert Odd(self=7).self == 7   # the shared first-tier __init__
    made = [Odd(i) for i in range(record_module.COMPILE_AFTER + 2)] + [Odd(self=7)]
    assert made[-1].self == 7 and made[-2] == Odd(record_module.COMPILE_AFTER + 1)


def test_cached_values_are_computed_once_and_stay_outside_the_fields():
    from dioptra_lsp.model.record import cached

    calls = []

    @record
    class Table:
        rows: tuple

        @cached
        def index(self) -> dict:
            calls.append(1)
            return {r: i for i, r in enumerate(self.rows)}

    t = Table(("a", "b"))
    assert t.index == {"a": 0, "b": 1} and t.index is t.index and len(calls) == 1
    assert t == Table(("a", "b")) and hash(t) == hash(Table(("a", "b")))
    assert repr(t) == "test_cached_values_are_computed_once_and_stay_outside_the_fields.<locals>.Table(rows=('a', 'b'))"
    copy_ = replace(t)
    assert copy_.index == t.index and len(calls) == 2   # a new instance computes its own
    with pytest.raises(FrozenInstanceError):
        t.index = {}


def test_type_checkers_see_a_records_constructor(tmp_path):
    """``@record`` is declared with ``typing.dataclass_transform``: mypy (the oracle) checks
    record constructor calls against the fields and knows the fields are read-only."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "use_records.py").write_text(
        "from pathlib import Path\n"
        "from dioptra_lsp.model.source import Span\n"
        "from dioptra_lsp.model.types import Problem\n"
        "span = Span.of(0, 0, 0, 1)\n"
        "ok = Problem('syntax', Path('x'), span, 'message', code='no-command')\n"
        "missing = Problem('syntax', Path('x'), span)\n"
        "unknown = Problem('syntax', Path('x'), span, 'm', cod='x')\n"
        "wrong = Problem('syntax', Path('x'), span, 3)\n"
        "ok.kind = 'x'\n")
    run = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent",
                          "--no-error-summary", "--cache-dir", str(tmp_path / "cache"),
                          "use_records.py"], capture_output=True, text=True, cwd=tmp_path,
                         env={"MYPYPATH": str(repo), "PATH": "/usr/bin:/bin"}, timeout=120)
    lines = {int(line.split(":")[1]) for line in run.stdout.splitlines() if ": error:" in line}
    assert lines == {6, 7, 8, 9}, run.stdout + run.stderr
