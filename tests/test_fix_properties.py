"""Property: ``--fix`` changes exactly the bytes its fixes mean to change, whatever the line
endings (mixed per line), separators (``\\x85``, U+2028, U+2029 in YAML; the same and form
feeds in Python strings and comments), byte order marks, astral characters and tabs around
them; the result parses, and a second run changes nothing.

Each generated project is built twice, as it is and as the fixes must leave it, so the whole
file is compared (everything outside the edited spans included), by the real CLI and by the
in-process fix API alike.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dioptra_lsp.fixes import fix_paths

ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])
YAML_SEPARATORS = st.sampled_from(["", "\x85", "\u2028", "\u2029", "\r", "\t", "\U0001F600"])
PY_SEPARATORS = st.sampled_from(["", "\x85", "\u2028", "\u2029", "\x0c", "\x0b", "\x1c", "\t",
                                 "\U0001F600", "é"])

SCRIPT_LINES = [
    "import click",
    "from dioptra import pyplugs",
    "from prefect import Flow, Parameter",
    "",
    '_PLUGINS_IMPORT_PATH = "dioptra_custom"',
    "NOTE = 'a{sep}b'  # c{sep}d",
    "",
    "",
    "@click.command()",
    '@click.option("--data-dir", type=click.Path(file_okay=False), help="Data{sep} root")',
    '@click.option("--epochs", type=click.INT, default=1, help="Training epochs")',
    '@click.option("--label", default="x", help="A label")',
    "def train(data_dir, epochs, label):",
    "    print(label)  # {sep}",
    "    flow = init_flow()",
    "    flow.run(parameters=dict(data_dir=data_dir, epochs=epochs))",
    "",
    "",
    "def init_flow():",
    '    with Flow("Train") as flow:',
    '        data_dir, epochs = Parameter("data_dir"), Parameter("epochs")',
    '        pyplugs.call_task(f"{{_PLUGINS_IMPORT_PATH}}.fit", "trainer", "fit", data_dir=data_dir, epochs=epochs)',
    "    return flow",
]
MAIN = ['if __name__ == "__main__":', "    train()"]

PLUGIN = ("from dioptra import pyplugs\n\n\n@pyplugs.register\ndef fit(data_dir, epochs=1):\n"
          "    return data_dir, epochs\n")


@st.composite
def projects(draw):
    """(files as written, files as the fixes must leave them), by relative path."""
    sep = draw(YAML_SEPARATORS)
    epochs_glued = draw(st.booleans())             # DL103: `{type:float}`
    label_type = draw(st.sampled_from(["string", "text", "text-glued"]))   # DL104 (and DL103)
    comment = draw(st.booleans())
    before, after = [], []

    def line(text: str, fixed: str | None = None) -> None:
        ending = draw(ENDINGS)
        before.append(text + ending)
        after.append((text if fixed is None else fixed) + ending)

    line(f"name: demo  # a{sep}# b" if comment else "name: demo")
    line("entry_points:")
    line("  main:")
    line("    parameters:")
    line("      data_dir: {type: path, default: /nfs/data}")
    epochs = "{type:float, default: 3}" if epochs_glued else "{type: float, default: 3}"
    line(f"      epochs: {epochs}", "      epochs: {type: float, default: 3}")
    label_spec = {"string": "type: string", "text": "type: text", "text-glued": "type:text"}[label_type]
    # The separator (or an astral character) on the fixed line itself, before the fix.
    line(f'      label: {{default: "x{sep}y", {label_spec}}}',
         f'      label: {{default: "x{sep}y", type: string}}')
    if draw(st.booleans()):     # a folded command: its characters are mapped line by line
        line("    command: >  # the command")
        fold = draw(st.sampled_from(["", "\x85      "]))    # NEL: a YAML-only line break
        line(f"      python src/train.py --data-dir {{data_dir}}{fold}")
        line("      --epochs {epochs} --label {label}")
    else:
        line("    command: python src/train.py --data-dir {data_dir} --epochs {epochs} "
             "--label {label}")
    if draw(st.booleans()):            # a file that ends without a line break
        before[-1], after[-1] = before[-1].rstrip("\r\n"), after[-1].rstrip("\r\n")
    bom = "\ufeff" if draw(st.booleans()) else ""
    mlproject = (bom + "".join(before), bom + "".join(after))

    py_sep = draw(PY_SEPARATORS)
    lines = [text.format(sep=py_sep) for text in SCRIPT_LINES]
    endings = [draw(ENDINGS) for _ in lines]
    invoked = draw(st.booleans())
    ends_with_break = draw(st.booleans())
    body = "".join(t + e for t, e in zip(lines, endings))
    py_bom = "\ufeff" if draw(st.booleans()) else ""
    if invoked:
        main = endings[-1] + MAIN[0] + endings[-1] + MAIN[1] + (endings[-1] if ends_with_break else "")
        script = (py_bom + body + main,) * 2
    else:
        # DL208 appends the `__main__` block with the line break of the place it goes.
        written = body if ends_with_break else body[:-len(endings[-1])]
        newline = endings[-1] if ends_with_break else endings[-2]   # the last break before it
        gap = newline * (2 if ends_with_break else 3)
        script = (py_bom + written,
                  py_bom + written + gap + MAIN[0] + newline + MAIN[1] + newline)
    return {"MLproject": mlproject, "src/train.py": script,
            "dioptra_custom/fit/trainer.py": (PLUGIN, PLUGIN)}


def _write(root: Path, files: dict[str, tuple[str, str]]) -> None:
    for rel, (text, _) in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def _assert_fixed(root: Path, files: dict[str, tuple[str, str]]) -> None:
    for rel, (_, expected) in files.items():
        got = (root / rel).read_bytes()
        assert got == expected.encode("utf-8"), (rel, got, expected.encode("utf-8"))
    text = (root / "MLproject").read_bytes().decode("utf-8-sig")
    assert yaml.load(text, Loader=yaml.CSafeLoader)["entry_points"]["main"]["parameters"]
    ast.parse((root / "src" / "train.py").read_bytes().decode("utf-8-sig"))


_SETTINGS = settings(deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow])


@settings(_SETTINGS, max_examples=60)
@given(projects())
def test_in_process_fix_changes_only_what_it_means_to(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ep"
        _write(root, files)
        report = fix_paths([root])
        assert not report.problems, report.problems
        _assert_fixed(root, files)
        assert not [d for d in report.result.diagnostics if d.fix and d.fix.safe]
        again = fix_paths([root])
        assert again.fixed == 0 and not again.written
        _assert_fixed(root, files)


@settings(_SETTINGS, max_examples=10)
@given(projects())
def test_cli_fix_changes_only_what_it_means_to(files):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ep"
        _write(root, files)
        env = {k: v for k, v in os.environ.items() if k != "DIOPTRA_PLUGIN_DIR"}
        run = subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", "check", "--fix", "ep"],
                             cwd=tmp, capture_output=True, text=True, env=env, timeout=60)
        assert "internal error" not in run.stderr and "not fixed" not in run.stderr, run.stderr
        _assert_fixed(root, files)
