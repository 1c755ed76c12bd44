"""The forms real entry points use (see the conventions notes) must lint clean: no false alarms.

Each case is a whole small project written the way real Dioptra entry points bend the
conventions; a second group plants the real mistakes and asserts exactly those are found.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.engine import lint_paths

PLUGINS = {
    "task-plugins/dioptra_builtins/data/images.py": '''
        from dioptra import pyplugs


        @pyplugs.register
        def resize(data_dir, image_size, batch_size=32):
            """Resize images."""
            return data_dir


        @pyplugs.register()
        @pyplugs.task_nout(2)
        def split(dataset, fraction=0.2):
            return dataset, dataset
    ''',
    "task-plugins/dioptra_builtins/estimators/keras.py": '''
        from dioptra import pyplugs


        @pyplugs.register(sort_value=10)
        def fit(estimator, x, **kwargs):
            return estimator


        @pyplugs.register
        def init(model_architecture, learning_rate):
            return model_architecture
    ''',
}

SRC_LAYOUT = {
    # MLproject inside src/: scripts are relative to it
    "src/MLproject": '''
        name: real-world

        entry_points:
          train:
            parameters:
              data_dir: {type: path, default: "/nfs/data/Mnist"}
              image_size: {type: string, default: "28,28,1"}
              epochs: {type: float, default: 30}
              learning_rate: {type: float, default: 0.001}
              batch_size: {type: int, default: 32}
              use_gpu: {type: bool, default: "True"}
              model_architecture: {type: string, default: "le_net"}
              register_model_name: {type: string, default: ""}
            command: >
              PYTHONPATH=$DIOPTRA_PLUGIN_DIR python train.py
              --data-dir {data_dir}
              --image-size {image_size}
              --epochs {epochs}
              --learning-rate {learning_rate}
              --batch-size {batch_size}
              --use-gpu {use_gpu}
              --model-architecture {model_architecture}
              --register-model-name {register_model_name}
          infer:
            parameters:
              run_id: {type: string}
              model_name: string
            command: python infer.py --run-id {run_id} --model-name {model_name} --seed 42
    ''',
    "src/train.py": '''
        import os
        from pathlib import Path

        import click
        import mlflow
        import structlog
        from dioptra import pyplugs
        from dioptra.sdk.utilities.contexts import plugin_dirs
        from prefect import Flow, Parameter

        _PLUGINS_IMPORT_PATH: str = "dioptra_builtins"
        LOGGER = structlog.get_logger()


        def _coerce_comma_separated_ints(ctx, param, value):
            return tuple(int(x.strip()) for x in value.split(","))


        def _coerce_int_to_bool(ctx, param, value):
            return bool(int(value))


        @click.command()
        @click.option(
            "--data-dir",
            type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
            help="Root directory for shared datasets",
        )
        @click.option("--image-size", type=click.STRING, callback=_coerce_comma_separated_ints,
                      help="Dimensions for the input images")
        @click.option("--epochs", type=click.INT, default="30", help="Number of epochs")
        @click.option("--learning-rate", type=click.FLOAT, default=0.001)
        @click.option("--batch-size", type=click.INT, default=32)
        @click.option("--use-gpu", type=click.BOOL, default=True)
        @click.option("--model-architecture", type=click.Choice(["shallow_net", "le_net"], case_sensitive=False),
                      default="le_net")
        @click.option("--register-model-name", type=click.STRING, default="")
        def train(data_dir, image_size, epochs, learning_rate, batch_size, use_gpu,
                  model_architecture, register_model_name, seed=-1):
            mlflow.autolog()
            with mlflow.start_run() as active_run:
                flow = init_flow()
                state = flow.run(
                    parameters=dict(
                        active_run=active_run,
                        training_dir=Path(data_dir) / "training",
                        image_size=image_size,
                        epochs=epochs,
                        learning_rate=learning_rate,
                        batch_size=batch_size,
                        use_gpu=use_gpu,
                        model_architecture=model_architecture,
                        register_model_name=register_model_name,
                    )
                )
            return state


        def init_flow() -> Flow:
            with Flow("Image Classifier") as flow:
                (
                    active_run,
                    training_dir,
                    image_size,
                    epochs,
                    learning_rate,
                    batch_size,
                    use_gpu,
                    model_architecture,
                    register_model_name,
                ) = (
                    Parameter("active_run"),
                    Parameter("training_dir"),
                    Parameter("image_size"),
                    Parameter("epochs"),
                    Parameter("learning_rate"),
                    Parameter("batch_size"),
                    Parameter("use_gpu"),
                    Parameter("model_architecture"),
                    Parameter("register_model_name", default=""),
                )
                resized = pyplugs.call_task(
                    f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize",
                    data_dir=training_dir, image_size=image_size, batch_size=batch_size,
                )
                train_ds, val_ds = pyplugs.call_task(
                    f"{_PLUGINS_IMPORT_PATH}.data", "images", "split",
                    dataset=resized, upstream_tasks=[resized],
                )
                model = pyplugs.call_task(
                    f"{_PLUGINS_IMPORT_PATH}.estimators", "keras", "init",
                    model_architecture=model_architecture, learning_rate=learning_rate,
                )
                pyplugs.call_task(
                    f"{_PLUGINS_IMPORT_PATH}.estimators", "keras", "fit",
                    model, train_ds,
                    callbacks_list=dict(epochs=epochs, use_gpu=use_gpu, run=active_run),
                    register=register_model_name,
                    upstream_tasks=[model],
                )
            return flow


        if __name__ == "__main__":
            with plugin_dirs():
                _ = train()
    ''',
    "src/infer.py": '''
        import click
        import mlflow
        from dioptra import pyplugs
        from prefect import Flow, Parameter

        _PLUGINS_IMPORT_PATH = "dioptra_builtins"


        @click.command()
        @click.option("--run-id", type=str, required=True)
        @click.option("--model-name", type=str)
        @click.option("--seed", type=click.INT, default=-1)
        def infer(run_id, model_name, seed):
            with mlflow.start_run():
                flow = init_flow()
                flow.run(parameters=dict(run_id=run_id, model_name=model_name, seed=seed))


        def init_flow():
            with Flow("Infer") as flow:
                run_id, model_name, seed = Parameter("run_id"), Parameter("model_name"), Parameter("seed")
                pyplugs.call_task(
                    f"{_PLUGINS_IMPORT_PATH}.estimators", "keras", "fit",
                    run_id, x=seed, note=model_name,
                )
            return flow


        if __name__ == "__main__":
            infer()
    ''',
}


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, PLUGINS)
    write(tmp_path, SRC_LAYOUT)
    monkeypatch.setenv("DIOPTRA_PLUGIN_DIR", str(tmp_path / "task-plugins"))
    return tmp_path


def render(diags, root):
    return [f"{d.path.relative_to(root).as_posix() if d.path.is_absolute() else d.path}:"
            f"{d.span.start.line + 1}: {d.code} {d.message}" for d in diags]


def test_real_world_forms_lint_clean(project):
    # int/bool MLproject types are conventions MLflow passes through as strings: no finding.
    diags = lint_paths([project])
    assert diags == [], render(diags, project)


MISTAKES = [
    # (what, file, old, new, expected code)
    ("stale plugin keyword", "src/train.py", "image_size=image_size, batch_size=batch_size,",
     "image_size=image_size, batchsize=batch_size,", "DL404"),
    ("uncommitted plugin module", "src/train.py", '"keras", "init"', '"keras_v2", "init"', "DL403"),
    ("script moved", "src/MLproject", "python infer.py", "python src/infer.py", "DL108"),
    ("glued flow mapping", "src/MLproject", "epochs: {type: float, default: 30}",
     "epochs: {type:float, default:30}", "DL103"),
    ("flag fed by the wrong parameter", "src/MLproject", "--model-name {model_name}",
     "--model-name {run_id}", "DL203"),
    ("logging call in the flow", "src/train.py", '        resized = pyplugs.call_task(',
     '        LOGGER.info("resizing")\n        resized = pyplugs.call_task(', "DL401"),
    ("unused Prefect Parameter", "src/infer.py", "run_id, x=seed, note=model_name,",
     "estimator=seed, x=seed, note=model_name,", "DL303"),
    ("misaligned Parameter tuple", "src/infer.py",
     'Parameter("run_id"), Parameter("model_name"), Parameter("seed")',
     'Parameter("model_name"), Parameter("run_id"), Parameter("seed")', "DL304"),
]


@pytest.mark.parametrize("what, rel, old, new, code", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_real_mistakes_are_found(project, what, rel, old, new, code):
    path = project / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    codes = [d.code for d in lint_paths([project]) if d.code != "DL104"]
    assert code in codes, (what, codes)
