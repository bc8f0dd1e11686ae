"""Fixtures for the robustness suite: synthetic corpora with broken files mixed in."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pia_graph.synth import random_record, render_text

BIN_DIR = Path(sys.executable).parent
PIA_GRAPH = str(BIN_DIR / "pia-graph")


def run_cli(*args: str, timeout: float = 600, without_dac_override: bool = False,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `pia-graph` command as a user would.

    Root reads any file, so with ``without_dac_override`` the command runs without the
    capabilities that bypass file modes: a chmod 000 file is then unreadable, as for anyone else.
    """
    command = [PIA_GRAPH, *args]
    if without_dac_override and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): cannot make a file unreadable")
        command = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env={**os.environ, "COLUMNS": "200"})


@dataclass
class Corpus:
    root: Path
    good: list[Path] = field(default_factory=list)
    bad: dict[Path, str] = field(default_factory=dict)  # path → kind of damage


def good_text(rng: random.Random, index: int) -> str:
    record = random_record(rng, index)
    # one assessment per file: the same body, number and kind would (rightly) replace each other
    record["assessment"]["number"] = str(index + 1)
    return render_text(record, rng)


def _truncate_mid_document(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(lines[: max(40, len(lines) // 5)]) + "\n"


def damage(kind: str, path: Path, rng: random.Random, index: int) -> Path:
    """Write one broken input of the given kind at (or next to) ``path``; returns the input path."""
    text = good_text(rng, 100_000 + index)
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "blank":
        path.write_text("\n\n   \n\u3000\n", encoding="utf-8")
    elif kind == "binary":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    elif kind == "truncated-mid-character":
        data = text.encode("utf-8")
        cut = len(data) // 3
        while (data[cut] & 0xC0) != 0x80:  # stop inside a multi-byte character
            cut += 1
        path.write_bytes(data[:cut])
    elif kind == "truncated-mid-document":
        path.write_text(_truncate_mid_document(text), encoding="utf-8")
    elif kind == "wrong-encoding":
        # Japanese text in an encoding pia-graph does not read (ISO-2022-JP, 7-bit escapes)
        path.write_bytes(text.encode("iso2022_jp", errors="replace"))
    elif kind == "not-an-assessment":
        path.write_text("議事録\n\n本日の会議では予算について議論した。\n" * 50, encoding="utf-8")
    elif kind == "directory":
        path = path.with_suffix(".txt.d")
        path.mkdir()
        path = path.rename(path.with_name(path.name.removesuffix(".d")))
    elif kind == "unreadable":
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o000)
    elif kind == "broken-json":
        path = path.with_suffix(".json")
        path.write_text('{"source": "x.txt", "assessment": {', encoding="utf-8")
    else:  # pragma: no cover - a typo in a test
        raise ValueError(kind)
    return path


DAMAGE_KINDS = ("empty", "blank", "binary", "truncated-mid-character", "truncated-mid-document",
                "wrong-encoding", "not-an-assessment", "directory", "unreadable", "broken-json")


def make_corpus(root: Path, total: int, broken_share: float, seed: int = 7) -> Corpus:
    rng = random.Random(seed)
    corpus = Corpus(root)
    root.mkdir(parents=True, exist_ok=True)
    broken = set(rng.sample(range(total), int(total * broken_share)))
    for index in range(total):
        path = root / f"doc{index:05d}.txt"
        if index in broken:
            kind = DAMAGE_KINDS[len(corpus.bad) % len(DAMAGE_KINDS)]
            corpus.bad[damage(kind, path, rng, index)] = kind
        else:
            path.write_text(good_text(rng, index), encoding="utf-8")
            corpus.good.append(path)
    return corpus


