"""Seed-overlap check: which 20-character stretches of a text also occur in a real seed.

Generic form text (labels, headings, option lists) is printed on every assessment and may occur;
it is removed before comparing. The form text is taken from pia_graph.synth.forms and from the
label literals of the renderer (string constants that start with one ASCII space, the label-line
convention of the real texts, which values never follow).
"""

from __future__ import annotations

import ast
from pathlib import Path

from pia_graph.synth import forms, render

WINDOW = 20


def _label_literals() -> set[str]:
    tree = ast.parse(Path(render.__file__).read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        parts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = [node.value]
        elif isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        for part in parts:
            for line in part.split("\n"):
                if line.startswith(" ") and line.strip():
                    out.add(line.strip())
    return out


def form_strings() -> list[str]:
    texts = set(forms.form_texts()) | _label_literals() | set(forms.PUBLIC_NAMES)
    # short fragments would cut values apart and hide real overlaps
    return sorted((t for t in texts if len(t) >= 4), key=len, reverse=True)


def seed_windows(seed_dir: Path) -> set[str]:
    windows: set[str] = set()
    for path in sorted(seed_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            windows.update(line[i:i + WINDOW] for i in range(len(line) - WINDOW + 1))
    return windows


def overlaps(text: str, windows: set[str], labels: list[str]) -> list[str]:
    found: list[str] = []
    for line in text.splitlines():
        if len(line) < WINDOW:
            continue
        segments = [line]
        for label in labels:
            if any(label in s for s in segments):
                segments = [piece for s in segments for piece in s.split(label)]
        for segment in segments:
            found.extend(segment[i:i + WINDOW] for i in range(len(segment) - WINDOW + 1)
                         if segment[i:i + WINDOW] in windows)
    return found
