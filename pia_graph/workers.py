"""Worker processes for the stages that spread work over the CPUs (ingest, validation)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context


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
