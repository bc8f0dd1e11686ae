"""Worker processes for the stages that spread work over the CPUs (ingest, validation)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

R = TypeVar("R")
T = TypeVar("T")


def worker_context(preload: list[str]) -> multiprocessing.context.BaseContext:
    """Workers start from a fork server, not by forking the calling process.

    The caller holds an open store (RocksDB threads) and perhaps a progress-bar thread; forking
    a multi-threaded process can leave a child with a lock held by a thread that no longer
    exists. The fork server is a clean single-threaded process that has already imported
    ``preload``, so workers still start quickly.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preload)
    return context


def _ignore_interrupts(initializer: Callable[..., object] | None, *args: object) -> None:
    # Ctrl-C reaches every process of the terminal's group: the main process decides what stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*args)


def in_order(function: Callable[..., R], tasks: Iterable[tuple[object, ...]], *, jobs: int,
             preload: list[str], initializer: Callable[..., object] | None = None,
             initargs: tuple[object, ...] = ()) -> Iterator[Future[R]]:
    """``function(*task)`` for each task in ``jobs`` worker processes, the futures yielded in the
    order of ``tasks`` (``future.result()`` gives the value or raises, ``BrokenProcessPool``
    when a worker died). At most ``2 * jobs`` tasks are queued ahead, so that memory stays
    bounded and an interrupted run (Ctrl-C, or the caller stopping early) cancels what is
    queued and returns once the tasks under way are done."""
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=worker_context(preload),
                               initializer=_ignore_interrupts, initargs=(initializer, *initargs))
    queued: deque[Future[R]] = deque()
    try:
        for task in tasks:
            queued.append(pool.submit(function, *task))
            if len(queued) >= 2 * jobs:
                yield queued.popleft()
        while queued:
            yield queued.popleft()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class WorkerDied(Exception):
    """The worker process computing this item died (a crash, out of memory), twice."""


def each_in_workers(function: Callable[..., R], items: Sequence[T], extra: tuple[object, ...] = (), *,
                    jobs: int, preload: list[str], initializer: Callable[..., object] | None = None,
                    initargs: tuple[object, ...] = ()) -> Iterator[tuple[T, R | Exception]]:
    """(item, ``function(item, *extra)``) in the order of ``items``, computed in ``jobs`` worker
    processes; an exception the function raises comes in place of its value.

    When a worker dies, the pool is lost with every item in flight: the first of them is
    retried alone and comes with ``WorkerDied`` only if it kills its worker again; the items
    after it go to a new pool.
    """
    pending = list(items)
    while pending:
        broken_at: int | None = None
        futures = in_order(function, ((item, *extra) for item in pending), jobs=max(1, min(jobs, len(pending))),
                           preload=preload, initializer=initializer, initargs=initargs)
        try:
            for index, (item, future) in enumerate(zip(pending, futures, strict=False)):
                try:
                    yield item, future.result()
                except BrokenProcessPool:
                    broken_at = index
                    break
                except Exception as error:  # the caller decides what an item's failure means
                    yield item, error
        finally:
            futures.close()
        if broken_at is None:
            return
        suspect = pending[broken_at]
        if jobs > 1:
            yield from each_in_workers(function, [suspect], extra, jobs=1, preload=preload,
                                       initializer=initializer, initargs=initargs)
        else:
            yield suspect, WorkerDied("the worker process died")
        pending = pending[broken_at + 1:]
