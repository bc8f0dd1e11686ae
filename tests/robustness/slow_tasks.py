"""Tasks for the worker-pool tests (importable by worker processes)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def mark_slowly(directory: str, number: int) -> int:
    """Leave a marker that the task ran, after a while."""
    time.sleep(0.3)
    Path(directory, f"{number}.done").write_text("", encoding="utf-8")
    return number


def interrupt_self(number: int) -> int:
    """Send this worker a Ctrl-C, as a terminal sends it to the whole process group."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.1)
    return number


def die_on_three(number: int, offset: int) -> int:
    if number == 3:
        os._exit(3)  # no exception, no cleanup: the process is simply gone
    time.sleep(0.05)
    return number + offset
