"""Small helpers shared by the browser tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"


def shot(page: Any, name: str) -> Path:
    """Save a full-window screenshot as test-artifacts/e2e/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_mouse(page: Any, source: Any, target: Any, steps: int = 12) -> None:
    """Press on source, move to target in steps, release: a pointer drag (React Flow handles)."""
    sx, sy = center(source)
    tx, ty = center(target)
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=steps)
    page.mouse.move(tx, ty, steps=steps)
    page.mouse.up()


def document_json(page: Any) -> dict[str, Any]:
    """The journeys/v1 document the Python state currently holds (shown in the inspector)."""
    return json.loads(page.get_by_test_id("document-json").inner_text())
