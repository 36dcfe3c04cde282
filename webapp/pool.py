"""A bounded worker pool: identification is CPU-bound, so each worker process runs one
at a time in a background thread (the event loop keeps answering), lets at most
``queue`` more wait, and refuses the rest at once (the server answers 503 + Retry-After)
instead of piling requests up."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class QueueFullError(RuntimeError):
    """Every slot (running + waiting) is taken."""


class BoundedPool:
    def __init__(self, queue: int, threads: int = 1) -> None:
        self.capacity = threads + max(0, queue)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="identify")
        self._lock = threading.Lock()
        self._pending = 0  # running + waiting

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the pool; raises QueueFullError when no slot is free."""
        with self._lock:
            if self._pending >= self.capacity:
                raise QueueFullError(f"{self._pending} identifications running or waiting")
            self._pending += 1
        future = self._executor.submit(fn, *args)
        # The slot frees when the work ends, not when the caller stops waiting (a client that
        # hangs up cancels a queued job, but a running one still holds the CPU until done).
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    def _release(self, _future: Any) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
