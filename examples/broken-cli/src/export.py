"""Export the model of a training run (argparse: written before the project adopted click)."""

import argparse

import mlflow


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--output-format", choices=["onnx", "saved_model"], default="onnx")
    args = parser.parse_args()
    with mlflow.start_run():
        model = mlflow.keras.load_model(f"runs:/{args.run_id}/model")
        model.save(f"export.{args.output_format}")
        mlflow.log_artifact(f"export.{args.output_format}")


if __name__ == "__main__":
    main()
