"""The engine: parallel and sequential runs agree; file arguments lint their own project."""

import sys
from pathlib import Path

from dioptra_lsp import engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate  # noqa: E402


def test_parallel_run_equals_sequential(tmp_path, monkeypatch):
    root = generate(tmp_path / "many", 30)
    for i in range(0, 30, 3):   # plant a mistake in every third project
        ml = root / f"ep{i:04d}" / "MLproject"
        ml.write_text(ml.read_text().replace("--p3 {p3}", "--p33 {p3}", 1))
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 10**9)
    sequential = engine.run([root])
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 2)
    parallel = engine.run([root])
    assert sequential.diagnostics == parallel.diagnostics
    assert sum(d.code == "DL201" for d in parallel.diagnostics) == 10
    assert parallel.projects == sequential.projects == 30
    assert parallel.files == sequential.files


def test_a_script_argument_reports_only_that_file(tmp_path):
    root = generate(tmp_path / "one", 1) / "ep0000"
    ml = root / "MLproject"
    ml.write_text(ml.read_text().replace("--p3 {p3}", "--p33 {p3}", 1))
    script = root / "src" / "run_0.py"
    text = script.read_text().replace("@click.command()\n", '@click.command()\n@click.option("--extra", type=click.INT, default=0)\n')
    script.write_text(text.replace("def main(p0,", "def main(extra, p0,"))
    everything = engine.run([root]).diagnostics
    only_script = engine.run([script]).diagnostics
    assert any(d.path.name == "MLproject" for d in everything)
    assert only_script and all(d.path.name == "run_0.py" for d in only_script)
    assert {d.code for d in only_script} >= {"DL305"}
