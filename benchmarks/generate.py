"""Generate N synthetic entry points in the Dioptra conventions (for benchmarks).

Each: an MLproject with 3 entry points (folded commands), a ~300-line script with click
options, an ``init_flow()`` Flow of call_tasks, and a task-plugin package.
"""

from __future__ import annotations

import sys
from pathlib import Path

N_OPTIONS = 8
N_TASKS = 27


def mlproject(i: int) -> str:
    params = "\n".join(f"      p{k}: {{type: float, default: {k}}}" for k in range(N_OPTIONS))
    flags = "\n".join(f"      --p{k} {{p{k}}}" for k in range(N_OPTIONS))
    eps = []
    for name in ("train", "infer", "evaluate"):
        eps.append(f"  {name}:\n    parameters:\n{params}\n    command: >\n      python src/run_{i}.py\n{flags}\n")
    return f"name: project-{i}\n\nentry_points:\n" + "".join(eps)


def script(i: int) -> str:
    lines = ["import logging", "from pathlib import Path", "", "import click", "import mlflow",
             "from dioptra import pyplugs", "from prefect import Flow, Parameter", "",
             '_PLUGINS_IMPORT_PATH = "bench_plugins"', "LOGGER = logging.getLogger(__name__)", "", ""]
    lines.append("@click.command()")
    for k in range(N_OPTIONS):
        lines += ["@click.option(", f'    "--p{k}",', "    type=click.INT,", f"    default={k},",
                  f'    help="Parameter number {k} of the synthetic entry point",', ")"]
    args = ", ".join(f"p{k}" for k in range(N_OPTIONS))
    lines += [f"def main({args}):", '    """Run the flow."""', "    with mlflow.start_run():",
              "        flow = init_flow()",
              "        flow.run(parameters=dict(" + ", ".join(f"p{k}=p{k}" for k in range(N_OPTIONS)) + "))",
              "", "", "def init_flow() -> Flow:", '    with Flow("Synthetic") as flow:']
    names = ", ".join(f"p{k}" for k in range(N_OPTIONS))
    decls = ", ".join(f'Parameter("p{k}")' for k in range(N_OPTIONS))
    lines.append(f"        ({names}) = ({decls})")
    prev = "p0"
    for t in range(N_TASKS):
        mod = f"mod{t % 4}"
        lines += [f"        out{t} = pyplugs.call_task(", f'            f"{{_PLUGINS_IMPORT_PATH}}.area",',
                  f'            "{mod}",', f'            "step{t % 3}",', f"            value={prev},",
                  f"            scale=p{t % N_OPTIONS},", f"            upstream_tasks=[{prev}],", "        )"]
        prev = f"out{t}"
    lines += ["    return flow", "", ""]
    while len(lines) < 295:
        n = len(lines)
        lines += [f"def helper_{n}(value):", f'    """Helper {n}."""', f"    return value * {n}", "", ""]
    lines += ["", 'if __name__ == "__main__":', "    main()", ""]
    return "\n".join(lines)


def plugin(m: int) -> str:
    out = ["from dioptra import pyplugs", ""]
    for s in range(3):
        out += ["", "@pyplugs.register", f"def step{s}(value, scale=1):",
                f'    """Step {s} of module {m}."""', "    return value * scale", ""]
    return "\n".join(out)


def generate(root: Path, n: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        folder = root / f"ep{i:04d}"
        (folder / "src").mkdir(parents=True, exist_ok=True)
        (folder / "MLproject").write_text(mlproject(i))
        (folder / "src" / f"run_{i}.py").write_text(script(i))
        area = folder / "bench_plugins" / "area"
        area.mkdir(parents=True, exist_ok=True)
        for m in range(4):
            (area / f"mod{m}.py").write_text(plugin(m))
    return root


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
