"""DL3xx/DL4xx on small projects: each finding fires with a useful message, real-world forms do not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.engine import lint_paths
from dioptra_lsp.model.project import load_project
from dioptra_lsp.rules import RULES_BY_CODE, RuleContext
from dioptra_lsp.rules import dl401_non_task_call_in_flow as dl401

MLPROJECT = """
name: t
entry_points:
  main:
    parameters:
      data_dir: {type: path, default: /nfs/data}
      image_size: {type: string, default: "28,28,1"}
    command: python src/train.py --data-dir {data_dir} --image-size {image_size}
"""

PLUGIN = '''
from dioptra import pyplugs


@pyplugs.register
def resize(data_dir, image_size, batch_size=32):
    return data_dir


@pyplugs.register()
@pyplugs.task_nout(2)
def split(dataset, fraction=0.2, **kwargs):
    return dataset, dataset


def helper(x):
    return x
'''

HEAD = '''
from pathlib import Path

import click
import structlog
from dioptra import pyplugs
from prefect import Flow, Parameter, unmapped

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"
LOGGER = structlog.get_logger()


@click.command()
@click.option("--data-dir", type=click.Path())
@click.option("--image-size", type=click.STRING)
def main(data_dir, image_size):
    flow = init_flow()
    flow.run(parameters=dict(data_dir=Path(data_dir) / "x", image_size=image_size))


def init_flow():
    with Flow("Resize") as flow:
        data_dir, image_size = Parameter("data_dir"), Parameter("image_size")
'''

TAIL = '''
    return flow


if __name__ == "__main__":
    main()
'''


def make(tmp_path: Path, body: str = "", *, script: str | None = None, head: str = HEAD) -> Path:
    files = {
        "MLproject": MLPROJECT,
        "dioptra_custom/data/images.py": PLUGIN,
        "src/train.py": script if script is not None else
        head.lstrip("\n") + textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8) + "\n" + TAIL,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return tmp_path


def lint(root: Path, *codes: str):
    return [d for d in lint_paths([root]) if not codes or d.code in codes]


GOOD_CALL = '''
pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize",
                  data_dir=data_dir, image_size=image_size)
'''


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("DIOPTRA_PLUGIN_DIR", raising=False)


def test_clean_project(tmp_path):
    assert lint(make(tmp_path, GOOD_CALL)) == []


def test_real_world_forms_are_not_findings(tmp_path):
    body = '''
    resized = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize",
                                data_dir, image_size=dict(size=image_size), batch_size=int("3"))
    dirs = [resized]
    a, b = pyplugs.call_task(_PLUGINS_IMPORT_PATH + ".data", "images", "split",
                             dataset=unmapped(dirs), path=Path("x"), upstream_tasks=[resized], mapped=True)
    pyplugs.call_task("dioptra_custom.data", "images", data_dir=a, image_size=b)
    '''
    assert lint(make(tmp_path, body)) == []


def test_dl301_dl302(tmp_path):
    head = HEAD.replace('dict(data_dir=Path(data_dir) / "x", image_size=image_size)',
                        'dict(data_dir=data_dir, image_sizes=image_size)')
    diags = lint(make(tmp_path, GOOD_CALL, head=head), "DL301", "DL302")
    assert [d.code for d in diags] == ["DL301", "DL302"]
    assert "Parameter `image_size` of flow `Resize` (src/train.py:22)" in diags[0].message
    assert "did you mean `image_size`? Parameters: data_dir, image_size" in diags[1].message


def test_dl301_dynamic_and_traced_dict(tmp_path):
    head = HEAD.replace('flow.run(parameters=dict(data_dir=Path(data_dir) / "x", image_size=image_size))',
                        'params = {"data_dir": data_dir}\n    flow.run(parameters=params)')
    assert [d.code for d in lint(make(tmp_path, GOOD_CALL, head=head), "DL301")] == ["DL301"]
    head = HEAD.replace("image_size=image_size))", "**extra))")
    assert lint(make(tmp_path, GOOD_CALL, head=head), "DL301") == []


def test_dl303_unused_and_used_forms(tmp_path):
    body = '''
    pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize", data_dir=data_dir, image_size=1)
    LOGGER.info("size", size=image_size)
    '''
    diags = lint(make(tmp_path, body), "DL303")
    assert len(diags) == 1 and "Parameter `image_size`" in diags[0].message
    for used in ("image_size=[image_size][0]", "image_size=1, upstream_tasks=[image_size]"):
        body = f'''
        pyplugs.call_task(f"{{_PLUGINS_IMPORT_PATH}}.data", "images", "resize", data_dir=data_dir, {used})
        '''
        assert lint(make(tmp_path, body), "DL303") == [], used


def test_dl304_swapped_tuple_and_plain_rename(tmp_path):
    head = HEAD.replace('data_dir, image_size = Parameter("data_dir"), Parameter("image_size")',
                        'image_size, data_dir = Parameter("data_dir"), Parameter("image_size")')
    diags = lint(make(tmp_path, GOOD_CALL, head=head), "DL304")
    assert len(diags) == 2 and all(d.code == "DL304" for d in diags)
    assert 'variable `image_size` is bound to Parameter("data_dir")' in diags[0].message
    head = HEAD.replace('data_dir, image_size = Parameter("data_dir"), Parameter("image_size")',
                        'training_dir, image_size = Parameter("data_dir"), Parameter("image_size")')
    body = GOOD_CALL.replace("data_dir=data_dir", "data_dir=training_dir")
    assert lint(make(tmp_path, body, head=head)) == []


def test_dl305_dl306(tmp_path):
    head = HEAD.replace('@click.option("--image-size", type=click.STRING)',
                        '@click.option("--image-size", type=click.STRING)\n@click.option("--seed", type=int)')
    head = head.replace("def main(data_dir, image_size):", "def main(data_dir, image_size, seed, extra):")
    diags = lint(make(tmp_path, GOOD_CALL, head=head), "DL305", "DL306")
    assert [d.code for d in diags] == ["DL305", "DL306"]
    assert diags[0].message.startswith("option `--seed` fills parameter `seed` of `main`")
    assert "parameter `extra` of click command `main` (src/train.py:16)" in diags[1].message
    head = head.replace("def main(data_dir, image_size, seed, extra):",
                        "@click.pass_context\ndef main(ctx, data_dir, image_size, **kwargs):")
    assert lint(make(tmp_path, GOOD_CALL, head=head), "DL305", "DL306") == []


def test_dl307(tmp_path):
    body = 'other = Parameter("data_dir")\n' + GOOD_CALL.replace("image_size)", "image_size, batch_size=other)")
    diags = lint(make(tmp_path, body), "DL307")
    assert len(diags) == 1 and "first at src/train.py:22" in diags[0].message


def test_dl401_and_allowed_calls(tmp_path):
    body = GOOD_CALL + 'LOGGER.info("x")\nhelper(data_dir)\nflow.add_edge(1, 2)\n'
    diags = lint(make(tmp_path, body), "DL401")
    assert [d.message.split("(")[0] for d in diags] == ["`LOGGER.info", "`helper"]
    project = load_project(tmp_path / "MLproject")
    allowed = list(dl401.check(RuleContext(project, frozenset({"helper"}))))
    assert len(allowed) == 1


def test_dl402(tmp_path):
    body = GOOD_CALL.replace('f"{_PLUGINS_IMPORT_PATH}.data"', 'os.environ["PKG"]')
    diags = lint(make(tmp_path, body), "DL402")
    assert len(diags) == 1 and "`os.environ[\"PKG\"]`" in diags[0].message
    assert "module-level string constants: _PLUGINS_IMPORT_PATH" in diags[0].message


def test_dl403(tmp_path):
    diags = lint(make(tmp_path, GOOD_CALL.replace('"images"', '"image"')), "DL403")
    assert "did you mean `images`? Modules: images" in diags[0].message
    diags = lint(make(tmp_path, GOOD_CALL.replace('"resize"', '"helper"')), "DL403")
    assert "`helper` is defined there but not decorated with @pyplugs.register" in diags[0].message
    diags = lint(make(tmp_path, GOOD_CALL.replace('"resize"', '"resise"')), "DL403")
    assert "did you mean `resize`? Registered functions: resize, split" in diags[0].message


def test_dl404(tmp_path):
    body = GOOD_CALL.replace("image_size=image_size", "image_sizes=image_size")
    # A renamed keyword is one cause: one finding per call, the signature in the detail.
    (diag,) = lint(make(tmp_path, body), "DL404")
    assert diag.message == ("keyword `image_sizes` is not a parameter of plugin "
                            "`dioptra_custom.data.images.resize` (dioptra_custom/data/images.py:6), "
                            "and required parameter `image_size` is not passed; the task fails with "
                            "TypeError; did you mean `image_size`? Parameters: batch_size, data_dir, "
                            "image_size")
    assert diag.detail == "Signature: resize(data_dir, image_size, batch_size=32)"
    body = GOOD_CALL.replace("image_size=image_size", "image_size=image_size, size=1, bach_size=2")
    (diag,) = lint(make(tmp_path, body), "DL404")
    assert diag.message.startswith("keywords `size`, `bach_size` are not parameters of plugin ")
    assert "TypeError; did you mean `batch_size` for `bach_size`? Parameters: " in diag.message
    assert [r.message for r in diag.related] == ["plugin `dioptra_custom.data.images.resize`",
                                                 "also not a parameter"]
    body = GOOD_CALL.replace(", image_size=image_size", "")
    (diag,) = lint(make(tmp_path, body), "DL404")
    assert diag.message.startswith("Required parameter `image_size` is not passed to plugin ")
    assert diag.message.endswith("the task fails with TypeError. Passed: data_dir")
    body = GOOD_CALL.replace("data_dir=data_dir, image_size=image_size", "data_dir, image_size, 3, 4")
    diags = lint(make(tmp_path, body), "DL404")
    assert len(diags) == 1 and "takes 3 positional arguments but 4 are passed" in diags[0].message
    body = GOOD_CALL.replace("data_dir=data_dir,", "data_dir, data_dir=data_dir,")
    assert "given twice" in lint(make(tmp_path, body), "DL404")[0].message
    body = GOOD_CALL.replace("image_size=image_size", "**dict(image_size=image_size)")
    assert lint(make(tmp_path, body), "DL404") == []


def test_dl405_once_per_package_across_the_run(tmp_path):
    body = GOOD_CALL.replace("_PLUGINS_IMPORT_PATH}.data", "_PLUGINS_IMPORT_PATH}.nowhere")
    make(tmp_path / "a", body + body)
    make(tmp_path / "b", body)
    (diag,) = lint(tmp_path, "DL405")
    assert diag.path == tmp_path / "a/src/train.py"
    assert "`dioptra_custom.nowhere` is in no plugin folder" in diag.message
    assert diag.message.endswith("(2 more places like it)")
    assert [(r.path, r.message) for r in diag.related] == [
        (tmp_path / "a/src/train.py", "also here"), (tmp_path / "b/src/train.py", "also here")]
    assert "`plugin-dirs`" in diag.message and diag.detail.startswith("Searched: the project folder")


def test_dl104_reports_only_what_changes_a_value(tmp_path):
    make(tmp_path, GOOD_CALL)
    mlproject = tmp_path / "MLproject"
    mlproject.write_text(MLPROJECT.replace("{type: path,", "{type: int,"))
    assert lint(tmp_path, "DL104") == []            # int, str, bool: MLflow's plain strings
    mlproject.write_text(MLPROJECT.replace("{type: path,", "{type: pth,"))
    (diag,) = lint(tmp_path, "DL104")
    assert diag.severity.label == "warning" and "did you mean `path`?" in diag.message
    mlproject.write_text(MLPROJECT.replace("{type: path,", "{type: list,"))
    (diag,) = lint(tmp_path, "DL104")
    assert diag.severity.label == "info"


def test_rules_are_registered():
    for code in ("DL301", "DL302", "DL303", "DL304", "DL305", "DL306", "DL307",
                 "DL401", "DL402", "DL403", "DL404", "DL405", "DL406"):
        assert code in RULES_BY_CODE


def test_dl406_counts_and_its_fix_makes_the_unpacking_work(tmp_path):
    from dioptra_lsp.fixes import apply_edits

    body = '''
    a, b = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize",
                             data_dir=data_dir, image_size=image_size)
    c, d = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "split", a)
    e, f, g = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "split", b)
    h, *rest = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "split", c)
    '''
    root = make(tmp_path, body)
    script = (root / "src/train.py").read_text().split("\n")
    line = {k: next(i for i, t in enumerate(script, 1) if k in t) for k in ("a, b =", "e, f, g =")}
    diags = lint(root, "DL406")
    assert [(d.span.start.line + 1, "not iterable" in d.message, d.fix is not None)
            for d in diags] == [(line["a, b ="], True, True), (line["e, f, g ="], False, False)]
    assert '"not enough values to unpack (expected 3, got 2)"' in diags[1].message
    (edit,) = diags[0].fix.edits
    plugin = root / "dioptra_custom/data/images.py"
    assert edit.path == plugin and not diags[0].fix.safe
    plugin.write_text(apply_edits(plugin.read_text(), [edit])[0])
    assert "@pyplugs.register\n@pyplugs.task_nout(2)\ndef resize(" in plugin.read_text()
    assert [d.span.start.line + 1 for d in lint(root, "DL406")] == [line["e, f, g ="]]
