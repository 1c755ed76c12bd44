"""The fast gradient method (Goodfellow et al.) through the Adversarial Robustness Toolbox."""

from __future__ import annotations

from pathlib import Path

from dioptra import pyplugs


@pyplugs.register
def create_adversarial_fgm_dataset(
    data_dir: Path,
    adv_data_dir: str,
    classifier,
    image_size: tuple,
    eps: float = 0.3,
    norm: float = float("inf"),
    batch_size: int = 32,
    seed: int = -1,
) -> Path:
    """Write one adversarial image per testing image under ``adv_data_dir``; return that folder."""
    import numpy as np
    from art.attacks.evasion import FastGradientMethod
    from art.estimators.classification import KerasClassifier
    from PIL import Image

    np.random.seed(seed if seed >= 0 else None)
    attack = FastGradientMethod(KerasClassifier(classifier), eps=eps, norm=norm,
                                batch_size=batch_size)
    height, width, channels = image_size
    out = Path(adv_data_dir)
    for image_path in sorted(Path(data_dir).rglob("*.png")):
        image = Image.open(image_path).convert("L" if channels == 1 else "RGB")
        x = np.asarray(image.resize((width, height)), dtype=np.float32)[None, ...] / 255.0
        adversarial = attack.generate(x.reshape(1, height, width, channels))[0]
        target = out / image_path.relative_to(data_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray((adversarial.squeeze() * 255).astype(np.uint8)).save(target)
    return out
