"""Reduce the bit depth of every image of a folder."""

from pathlib import Path

from dioptra import pyplugs


@pyplugs.register()
def squeeze_folder(data_dir, subset: str, bit_depth: int, output_dir: str = "squeezed") -> Path:
    import numpy as np
    from PIL import Image

    levels = 2**bit_depth - 1
    source, target = Path(data_dir) / subset, Path(output_dir) / subset
    for image_path in sorted(source.rglob("*.png")):
        pixels = np.asarray(Image.open(image_path), dtype=np.float32) / 255.0
        squeezed = np.round(pixels * levels) / levels
        out = target / image_path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray((squeezed * 255).astype(np.uint8)).save(out)
    return target
