"""Benchmark ``dioptra-lint dry-run`` on an example against the cold-start floor.

    python benchmarks/bench_dryrun.py [--example examples/mnist-classifier] [-e train] [-P data_dir=.] [--repeat 15]

The floor is ``python -c "import click, yaml"``; both are fresh processes, interleaved and
measured in the same run; the median of each is reported with their ratio (target <= 1.5x,
which rules out importing MLflow: its import alone is 0.3-0.65 s).  Bytecode caching is on, as
for an installed package (the first, untimed runs write the .pyc files).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# An installed package has its .pyc files (pip compiles them); this checkout may run with
# PYTHONDONTWRITEBYTECODE=1, which would recompile every module of ours on every start.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(argv: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):   # 1 = the dry-run found problems: still a full run
        raise SystemExit(f"{argv} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--example", default="examples/mnist-classifier")
    ap.add_argument("-e", "--entry-point", default="train")
    ap.add_argument("-P", dest="params", action="append", default=None,
                    help="passed on (default: data_dir=. so every stage runs)")
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    floor_argv = [sys.executable, "-c", "import click, yaml"]
    tool_argv = [sys.executable, "-m", "dioptra_lsp.cli", "dry-run", args.example,
                 "-e", args.entry_point, "--format", "json"]
    for p in args.params if args.params is not None else ["data_dir=."]:
        tool_argv += ["-P", p]
    once(floor_argv), once(tool_argv)   # warm the file cache and .pyc files
    floor, tool = [], []
    for _ in range(args.repeat):   # interleaved, so load on the machine hits both alike
        floor.append(once(floor_argv))
        tool.append(once(tool_argv))
    f, t = statistics.median(floor), statistics.median(tool)
    print(f"floor  python -c 'import click, yaml'  median {f * 1000:7.1f} ms  (n={args.repeat})")
    print(f"tool   dioptra-lint dry-run {args.example} -e {args.entry_point}  "
          f"median {t * 1000:7.1f} ms")
    print(f"ratio  {t / f:.2f}x  (target <= 1.5x)")
    return 0 if t / f <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
