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


def test_a_file_argument_reports_the_findings_it_takes_part_in(tmp_path):
    root = generate(tmp_path / "one", 1) / "ep0000"
    ml = root / "MLproject"
    ml.write_text(ml.read_text().replace("--p3 {p3}", "--p33 {p3}", 1)
                  .replace("      p0:", "      unused: {type: string, default: x}\n      p0:", 1))
    script = root / "src" / "run_0.py"
    text = script.read_text().replace("@click.command()\n", '@click.command()\n@click.option("--extra", type=click.INT, default=0)\n')
    script.write_text(text.replace("def main(p0,", "def main(extra, p0,"))
    everything = engine.run([root]).diagnostics
    only_script = engine.run([script]).diagnostics
    in_script = [d for d in everything if d.path == script]
    elsewhere = [d for d in everything if d.path != script]
    assert {d.code for d in in_script} >= {"DL305"}
    # DL201 sits in the MLproject but names the script's click command as its other side.
    crossing = [d for d in elsewhere if any(r.path == script for r in d.related)]
    assert {d.code for d in crossing} >= {"DL201"}
    assert only_script == sorted(in_script + crossing, key=type(only_script[0]).sort_key)
    assert any(d.code == "DL107" for d in everything)   # the MLproject's own business
    assert not any(d.code == "DL107" for d in only_script)


def test_a_changed_plugin_reports_the_calls_it_breaks(tmp_path):
    root = generate(tmp_path / "one", 1) / "ep0000"
    before = {d.code for d in engine.run([root]).diagnostics}
    plugin = next(p for p in sorted(root.rglob("*.py")) if "pyplugs.register" in p.read_text())
    text = plugin.read_text()
    name = text.split("def ", 1)[1].split("(", 1)[0]
    plugin.write_text(text.replace(f"def {name}(", f"def {name}(brand_new_required, ", 1))
    found = engine.run([plugin]).diagnostics
    assert "DL404" not in before
    assert any(d.code == "DL404" and "brand_new_required" in d.message and d.path != plugin
               for d in found)


def test_two_files_of_one_project_are_both_reported(tmp_path):
    root = generate(tmp_path / "one", 1) / "ep0000"
    script = root / "src" / "run_0.py"
    text = script.read_text().replace("@click.command()\n", '@click.command()\n@click.option("--extra", type=click.INT, default=0)\n')
    script.write_text(text.replace("def main(p0,", "def main(extra, p0,"))
    plugin = next(p for p in sorted(root.rglob("*.py")) if "pyplugs.register" in p.read_text())
    text = plugin.read_text()
    name = text.split("def ", 1)[1].split("(", 1)[0]
    plugin.write_text(text.replace(f"def {name}(", f"def {name}(brand_new_required, ", 1))
    found = engine.run([script, plugin]).diagnostics
    assert any(d.code == "DL305" and d.path == script for d in found)
    assert any(d.code == "DL404" and "brand_new_required" in d.message for d in found)
