"""Benchmark ``dioptra-lint check`` against the floor of parsing the same files, in one run.

    python benchmarks/bench_check.py [--sizes 10,100,1000] [--repeat 3]

The floor is a fresh Python process that imports yaml, walks the same tree, reads every file
and runs only ``ast.parse`` (scripts, plugins) and PyYAML's C ``compose`` (MLprojects).  The
cold-start floor is ``python -c "import click, yaml"``.  Both are measured in the same run as
the tool, and reported as ratios (targets: check <= 2x at N=1000, --version <= 1.3x).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

FLOOR = r"""
import ast, os, sys, yaml
loader = yaml.CSafeLoader
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(folder, name)
        if name == "MLproject":
            with open(path, encoding="utf-8") as f:
                yaml.compose(f.read(), Loader=loader)
        elif name.endswith(".py"):
            with open(path, encoding="utf-8") as f:
                ast.parse(f.read(), path)
"""


# As an installed package runs: with its bytecode cached (a checkout may have disabled it).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_pair(floor_argv: list[str], tool_argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall times (seconds) of the floor and the tool, run alternately so that a busy
    moment on the machine (a shared VM) slows both rather than one."""
    floor, tool = [], []
    for _ in range(repeat):
        for argv, runs in ((floor_argv, floor), (tool_argv, tool)):
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                           env=ENV)
            runs.append(time.perf_counter() - t0)
    return statistics.median(floor), statistics.median(tool)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "dioptra_lsp"), quiet=1)
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="dioptra-bench-"))
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            root = generate(tmp / f"n{n}", n)
            repeat = args.repeat
            floor, tool = timed_pair([py, "-c", FLOOR, str(root)],
                                     [py, "-m", "dioptra_lsp.cli", "check", str(root)], repeat)
            rows.append((f"check, N={n}", tool, floor, "ast.parse + yaml C compose"))
        floor, tool = timed_pair([py, "-c", "import click, yaml"],
                                 [py, "-m", "dioptra_lsp.cli", "--version"], 15)
        rows.append(("--version (cold start)", tool, floor, 'python -c "import click, yaml"'))
        # What a pre-commit hook runs: one small project, where start-up is most of the time.
        example = str(Path(__file__).resolve().parent.parent / "examples" / "mnist-classifier")
        floor, tool = timed_pair([py, "-c", "import click, yaml"],
                                 [py, "-m", "dioptra_lsp.cli", "check", example], 15)
        rows.append(("check examples/mnist-classifier", tool, floor,
                     'python -c "import click, yaml"'))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("| measurement | dioptra-lint | floor | ratio | floor is |")
    print("|---|---:|---:|---:|---|")
    for name, tool, floor, what in rows:
        print(f"| {name} | {tool * 1000:.0f} ms | {floor * 1000:.0f} ms | {tool / floor:.2f}x | {what} |")


if __name__ == "__main__":
    main()
