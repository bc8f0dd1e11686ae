"""Large inputs: handled in bounded memory, or refused with a clear message above the documented limit."""

from __future__ import annotations

import random
import resource
import subprocess
import sys
from pathlib import Path

from pia_graph.extract.api import MAX_INPUT_BYTES

from .conftest import good_text, run_cli


def test_text_over_the_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: costs no disk
    result = run_cli("extract", str(big))
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and "huge.txt" in message[0] and "limit" in message[0], result.stderr


def test_two_thousand_page_document_in_bounded_memory(tmp_path: Path) -> None:
    rng = random.Random(5)
    page_break = "\n\n\n\n"
    pages: list[str] = []
    text = good_text(rng, 1)
    while len(pages) < 2000:
        pages.extend(text.split(page_break))
    document = tmp_path / "long.txt"
    document.write_text(page_break.join(pages[:2000]), encoding="utf-8")
    size = document.stat().st_size
    assert size < MAX_INPUT_BYTES

    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the process that forked the
    # probe, so it would report this test process's own peak (hundreds of MB late in a full run)
    probe = (
        "import re, resource, sys\n"
        "from pia_graph.extract.api import extract_path\n"
        "record = extract_path(sys.argv[1])\n"
        "try:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
        "except (OSError, AttributeError):\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(document)], capture_output=True, text=True,
                            timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]
    peak_kib = int(result.stdout.strip().splitlines()[-1])
    # bounded: a small multiple of the input, far from the machine's memory
    assert peak_kib * 1024 < 400 * 1024 * 1024 + 40 * size, f"peak {peak_kib} KiB for a {size}-byte input"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
