"""examples/demo.sh end to end (what `make demo` runs), in a scratch directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.integration
def test_demo_runs_every_step(tmp_path: Path) -> None:
    if not any(EXAMPLES_DIR.glob("*.txt")) and not any(EXAMPLES_DIR.glob("*.json")):
        pytest.skip("no sample assessments in examples/")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DEMO_OUT"] = str(tmp_path / "demo-out")
    result = subprocess.run(["bash", str(EXAMPLES_DIR / "demo.sh")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    for number in range(2, 14):
        assert f"== {number}. " in output, number
    assert "paths to 日本年金機構" in output or "no path reaches" in output
    assert (tmp_path / "demo-out" / "store.trig").stat().st_size > 0
    assert "unchanged (skipped)" in output
