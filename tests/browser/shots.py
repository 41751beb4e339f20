"""Screenshots for a person reviewing a layout: written only when SHOTS_DIR names a folder, never by default."""

from __future__ import annotations

import os
from pathlib import Path


def shot(target, name: str, **kwargs) -> None:
    """Save `target` (a page or a locator) as SHOTS_DIR/name; a no-op when SHOTS_DIR is unset."""
    folder = os.environ.get("SHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(Path(folder) / name), **kwargs)
