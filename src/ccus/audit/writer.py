"""Commit the audit rows of reads, sharing one commit among concurrent reads.

A read's response is sent only after its audit rows are committed. With
group commit on, a single committer thread takes every batch of rows waiting
at the moment it becomes free, appends them to the chain in one transaction
and wakes all their requests together. While it commits, the next reads
prepare their responses and queue their rows, so under load one commit (and,
on PostgreSQL, one WAL flush and one lock of the chain head) serves many
requests. Alone, a request waits for exactly one commit, as without grouping.

With group commit off, each request commits its own rows in its own thread.
Either way a failed commit raises to every request in it, and none of them
discloses anything.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ccus.audit.log import AccessContext, AuditDraft, event_rows

# More rows than this wait for the next commit, so that one huge batch does
# not hold the chain head for long.
MAX_BATCH_ROWS = 2000

_Pending = tuple[list[dict[str, Any]], datetime, "Future[None]"]


class AuditWriter:
    """Append audit rows to the chain and return once they are committed."""

    def __init__(
        self,
        session: Callable[[], AbstractContextManager[Session]],
        append: Callable[[Session, list[dict[str, Any]], datetime], None],
        *,
        group_commit: bool,
    ) -> None:
        self._session = session
        self._append = append
        self.group_commit = group_commit
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def write(self, context: AccessContext, drafts: list[AuditDraft]) -> None:
        """Commit the rows of ``drafts``, then return.

        Raises:
            Exception: whatever the database raised; nothing was committed.
        """
        rows = event_rows(context, drafts)
        if not rows:
            return
        if not self.group_commit:
            self._commit(rows, context.now)
            return
        done: Future[None] = Future()
        self._ensure_started()
        self._queue.put((rows, context.now, done))
        done.result()

    def queued(self) -> int:
        """Return how many reads wait for the committer to take them."""
        return self._queue.qsize()

    def close(self) -> None:
        """Stop the committer thread after the rows already queued."""
        with self._start_lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="audit-group-commit", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            size = len(first[0])
            stop = False
            while size < MAX_BATCH_ROWS:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
                size += len(item[0])
            rows = [row for pending in batch for row in pending[0]]
            latest = max(pending[1] for pending in batch)
            try:
                self._commit(rows, latest)
            except BaseException as error:  # handed to every waiting request
                for _, _, done in batch:
                    done.set_exception(error)
            else:
                for _, _, done in batch:
                    done.set_result(None)
            if stop:
                return

    def _commit(self, rows: list[dict[str, Any]], now: datetime) -> None:
        with self._session() as session:
            self._append(session, rows, now)
            session.commit()
