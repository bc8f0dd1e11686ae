"""The one bounding policy of the caches kept across documents (extraction readings, RDF terms).

They are plain dicts, read inline with ``dict.get`` on the hot path, and emptied when full. They are
not ``functools.lru_cache``: a dict holding only strings is never tracked by the garbage collector,
while every full collection walks all the entries of an lru_cache.
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(cache: dict[K, V], limit: int, key: K, value: V) -> V:
    """Store ``value`` under ``key`` (emptying ``cache`` first when it holds ``limit`` entries)
    and return it, so a worker's memory stays bounded however many documents it reads."""
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
    return value
