"""The worker pool validation shares its work with: bounded queue, prompt stop, Ctrl-C decided by
the main process."""

from __future__ import annotations

import time
from pathlib import Path

from pia_graph.workers import WorkerDied, each_in_workers, in_order

from .slow_tasks import die_on_three, interrupt_self, mark_slowly


def test_results_come_in_order(tmp_path: Path) -> None:
    futures = in_order(mark_slowly, ((str(tmp_path), n) for n in range(10)), jobs=2, preload=[])
    assert [future.result() for future in futures] == list(range(10))
    assert len(list(tmp_path.glob("*.done"))) == 10


def test_a_consumer_that_waits_holds_back_the_queue_and_stopping_ends_it(tmp_path: Path) -> None:
    """Tasks are handed out only a little ahead of the consumer (memory stays bounded, and an
    interrupted run does not wait for the rest of a long batch)."""
    futures = in_order(mark_slowly, ((str(tmp_path), n) for n in range(200)), jobs=2, preload=[])
    assert next(futures).result() == 0
    time.sleep(1.5)          # two workers could run 10 tasks meanwhile
    ahead = len(list(tmp_path.glob("*.done")))
    assert ahead <= 6, ahead  # the one taken, 2 * jobs queued, and one the pool has fetched
    futures.close()
    time.sleep(1.5)
    assert len(list(tmp_path.glob("*.done"))) <= 6


def test_workers_leave_ctrl_c_to_the_main_process() -> None:
    futures = in_order(interrupt_self, ((n,) for n in range(4)), jobs=2, preload=[])
    assert [future.result() for future in futures] == list(range(4))


def test_an_item_that_kills_its_worker_fails_alone() -> None:
    outcomes = list(each_in_workers(die_on_three, list(range(8)), (100,), jobs=2, preload=[]))
    assert [item for item, _ in outcomes] == list(range(8))
    assert isinstance(outcomes[3][1], WorkerDied)
    assert [value for item, value in outcomes if item != 3] == [100 + n for n in range(8) if n != 3]
