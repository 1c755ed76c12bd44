"""parse_plugin_module: registered functions, nout, signatures, exact name spans; never raises."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.model.plugins import parse_plugin_module
from dioptra_lsp.model.source import SourceText, Span

PLUGIN = '''
"""Images — données."""
from dioptra import pyplugs
from dioptra.pyplugs import register as reg


@pyplugs.register
def resize(data_dir: str, image_size=(28, 28), *, batch_size: int = 32) -> str:
    """Resize images."""
    return data_dir


def helper(x):
    return x


@pyplugs.register()
@pyplugs.task_nout(2)
def split(dataset, /, fraction=0.2, *rest, **kwargs):
    return dataset, dataset


@reg(sort_value=10)
async def é_load(path):  # ünïcödé name
    return path
'''


def parse(text: str, dotted: str = "dioptra_custom.data.images"):
    return parse_plugin_module(SourceText(Path("images.py"), textwrap.dedent(text).lstrip("\n")), dotted)


def test_registered_functions():
    mod = parse(PLUGIN)
    assert mod.dotted == "dioptra_custom.data.images" and mod.problems == ()
    assert [f.name for f in mod.functions] == ["resize", "split", "é_load"]
    assert mod.unregistered == ("helper",)
    resize, split, load = mod.functions
    assert resize.signature == "resize(data_dir: str, image_size=(28, 28), *, batch_size: int = 32) -> str"
    assert resize.docstring == "Resize images." and resize.nout is None and resize.registered
    assert [(p.name, p.kind, p.has_default) for p in resize.params] == [
        ("data_dir", "positional_or_keyword", False), ("image_size", "positional_or_keyword", True),
        ("batch_size", "keyword_only", True)]
    assert split.nout == 2 and split.accepts_any_keyword
    assert split.signature == "split(dataset, /, fraction=0.2, *rest, **kwargs)"
    lines = textwrap.dedent(PLUGIN).lstrip("\n").split("\n")
    line = next(i for i, ln in enumerate(lines) if "é_load" in ln)
    col = lines[line].index("é_load")
    assert load.span == Span.of(line, col, line, col + len("é_load"))
    assert load.params[0].span == Span.of(line, col + 7, line, col + 11)
    line = next(i for i, ln in enumerate(lines) if ln.startswith("def resize"))
    assert resize.span == Span.of(line, 4, line, 10)


def test_syntax_error_is_a_problem():
    mod = parse("from dioptra import pyplugs\n@pyplugs.register\ndef f(:\n    pass\n")
    assert mod.functions == () and mod.problems[0].kind == "syntax"
    assert mod.problems[0].span.start.line == 2


@pytest.mark.parametrize("text", ["", "\0", "[" * 3000, "@pyplugs.register\nclass X: pass",
                                  "@pyplugs.task_nout('x')\n@pyplugs.register\ndef f(): pass"])
def test_never_raises(text):
    mod = parse_plugin_module(SourceText(Path("p.py"), text), "p")
    assert isinstance(mod.functions, tuple)


# Prefect 1 counts a task's outputs from ``nout``, else from a ``Tuple`` return annotation it
# can evaluate (learned from prefect 1.4 core/task.py); ``task_nout`` wins over the annotation.
NOUT_FORMS = [
    ("@pyplugs.task_nout(3)\ndef f(x) -> Tuple[int, int]:", "", 3, "task_nout"),
    ("def f(x) -> Tuple[int, str]:", "", 2, "annotation"),
    ("def f(x) -> typing.Tuple[int, str, float]:", "", 3, "annotation"),
    ("def f(x) -> tuple[int]:", "", 1, "annotation"),
    ("def f(x) -> Tuple[()]:", "", 0, "annotation"),
    ("def f(x) -> Tuple[int, ...]:", "", None, "none"),
    ("def f(x) -> Tuple:", "", None, "none"),
    ("def f(x) -> list[int]:", "", None, "none"),
    ("def f(x) -> 'Tuple[int, int]':", "", None, "none"),     # a string: Prefect counts nothing
    ("def f(x) -> Tuple[int, int]:", "from __future__ import annotations\n", None, "none"),
    ("@pyplugs.task_nout(N)\ndef f(x):", "N = 2\n", None, "unknown"),
    ("def f(x):", "", None, "none"),
]


@pytest.mark.parametrize("decl, prelude, nout, source", NOUT_FORMS)
def test_output_count_as_prefect_infers_it(decl, prelude, nout, source):
    text = (prelude + "import typing\nfrom typing import Tuple\nfrom dioptra import pyplugs\n\n\n"
            f"@pyplugs.register\n{decl}\n    return x\n")
    module = parse_plugin_module(SourceText(Path("p/m.py"), text), "p.m")
    (fn,) = module.functions
    assert (fn.nout, fn.nout_source) == (nout, source)
