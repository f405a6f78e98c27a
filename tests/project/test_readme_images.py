"""The README's screenshots (docs/img) show the widgets as they are: ``tests/widgets/screenshots.py`` makes them
again, in JupyterLab and headless Chromium, and each must match the committed one within a tolerance.

Rendering moves a few pixels (anti-aliasing, a layout rounded to the next pixel); a widget that changed moves many.
When this fails because a widget changed on purpose, refresh the pictures: ``python tests/widgets/screenshots.py
docs/img``.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "widgets" / "screenshots.py"
IMAGES = ROOT / "docs" / "img"
sys.path.insert(0, str(SCRIPT.parent))
import browser_harness  # noqa: E402
import screenshots  # noqa: E402

sys.path.remove(str(SCRIPT.parent))

SKIP = browser_harness.skip_reason()
# Rendering moves a little: a layout rounded to the next pixel shifts what follows by one, anti-aliasing changes
# edges. So a pixel counts as changed only if no pixel of the other image within REACH of it is close in
# colour (each channel within VISIBLE of 255). Two runs of the script on one machine differ by nothing; the
# stale graph_view.png differed in size by 197 pixels and in 1.1 % of its pixels; a one-word change in a
# label changes about 0.05 %.
REACH = 2  # pixels, each way
VISIBLE = 32
MAX_MEAN_DIFFERENCE = 0.25  # of 255: the mean over the pixels of the smallest difference within REACH
MAX_CHANGED_SHARE = 0.001


def difference(committed, made):
    """(mean difference, share of changed pixels) over the two images' common area, each pixel of either image
    compared with the closest in colour within REACH in the other; the larger of the two ways."""
    height, width = min(committed.shape[0], made.shape[0]), min(committed.shape[1], made.shape[1])
    a, b = committed[:height, :width].astype(np.int16), made[:height, :width].astype(np.int16)
    found = [_closest(a, b), _closest(b, a)]
    return max(c.mean() for c in found), max((c > VISIBLE).mean() for c in found)


def _closest(a, b):
    """For each pixel of ``a`` (but the border of width REACH), its smallest difference from a pixel of ``b``
    within REACH."""
    height, width = a.shape[:2]
    inner = a[REACH:height - REACH, REACH:width - REACH]
    closest = None
    for dy in range(-REACH, REACH + 1):
        for dx in range(-REACH, REACH + 1):
            shifted = b[REACH + dy:height - REACH + dy, REACH + dx:width - REACH + dx]
            delta = np.abs(inner - shifted).max(axis=2)
            closest = delta if closest is None else np.minimum(closest, delta)
    return closest


def read(path):
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGB"))


def test_every_readme_image_is_made_by_the_script_and_shown():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    committed = sorted(p.name for p in IMAGES.glob("*.png"))
    assert committed == sorted(screenshots.SHOTS)
    for name in committed:
        assert f"(docs/img/{name})" in readme


def test_the_difference_forgives_a_shift_by_a_pixel_and_notices_a_change():
    image = np.full((40, 50, 3), 255, np.uint8)
    image[5:15, 5:20] = 0  # a label
    assert difference(image, image) == (0, 0)
    assert difference(image, np.roll(image, 1, axis=0)) == (0, 0)  # everything one pixel lower
    changed = image.copy()
    changed[25:35, 10:40] = 0  # a new label: all of it is new, whichever image comes first
    assert difference(image, changed) == difference(changed, image) == (255 * 300 / (36 * 46), 300 / (36 * 46))


@pytest.mark.browser
@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_the_screenshots_made_again_match_the_committed_ones(tmp_path):
    pytest.importorskip("jupyterlab", reason='the screenshots are taken in JupyterLab: pip install -e ".[notebook]"')
    pytest.importorskip("PIL", reason='comparing the images needs Pillow (with matplotlib: pip install -e ".[notebook]")')
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    stale = []
    for name in sorted(screenshots.SHOTS):
        committed, made = read(IMAGES / name), read(tmp_path / name)
        mean, share = difference(committed, made)
        size_change = np.abs(np.subtract(committed.shape[:2], made.shape[:2])).max()
        if size_change > REACH or mean > MAX_MEAN_DIFFERENCE or share > MAX_CHANGED_SHARE:
            stale.append(f"{name}: {committed.shape[1]}x{committed.shape[0]} -> {made.shape[1]}x{made.shape[0]}, "
                         f"mean difference {mean:.2f}, {share:.1%} of pixels changed")
    assert not stale, "stale README images (python tests/widgets/screenshots.py docs/img):\n" + "\n".join(stale)
