"""Save results as MLflow artifacts."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
from dioptra import pyplugs


@pyplugs.register
def log_patches(patch, patch_mask, output_dir: str = "patches") -> None:
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "patch.npy", patch)
    np.save(folder / "patch_mask.npy", patch_mask)
    mlflow.log_artifacts(str(folder), artifact_path=output_dir)


@pyplugs.register
def log_directory(directory: Path) -> None:
    mlflow.log_artifacts(str(directory), artifact_path=Path(directory).name)
