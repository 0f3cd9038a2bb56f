"""Short-lived values by key: browser sessions, login states, one-time codes.

``ValueStore`` is the interface. ``MemoryValues`` keeps values inside one
process for the single-process embedded default, and ``RedisValues`` shares
them between API processes. Every value has a time to live, after which it is
gone. ``take`` reads and deletes in one step, so that a single-use value
(an authorization code, a login state) can be used at most once even when two
requests race for it.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from typing import Protocol

import redis

from ccus.config import Settings
from ccus.oauth.stores import OAuthStoreError

logger = logging.getLogger(__name__)


class ValueStore(Protocol):
    """Bytes by string key, each removed once its time to live has passed.

    Every method raises ``OAuthStoreError`` when the store fails.
    """

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds``, replacing any value."""
        ...

    def get(self, key: str) -> bytes | None:
        """Return the value under ``key``, or None if absent or expired."""
        ...

    def take(self, key: str) -> bytes | None:
        """Return the value under ``key`` and delete it, in one atomic step."""
        ...

    def delete(self, key: str) -> None:
        """Delete the value under ``key`` if present."""
        ...


class MemoryValues:
    """A thread-safe store inside one process, expiring by the monotonic clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[float, bytes]] = {}
        self._queue: list[tuple[float, str]] = []

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None:
        _check_ttl(ttl_seconds)
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            deadline = now + ttl_seconds
            self._values[key] = (deadline, bytes(value))
            heapq.heappush(self._queue, (deadline, key))

    def get(self, key: str) -> bytes | None:
        with self._lock:
            self._expire(time.monotonic())
            entry = self._values.get(key)
            return None if entry is None else entry[1]

    def take(self, key: str) -> bytes | None:
        with self._lock:
            self._expire(time.monotonic())
            entry = self._values.pop(key, None)
            return None if entry is None else entry[1]

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)

    def _expire(self, now: float) -> None:
        """Drop every value whose deadline has passed.

        A key put again gets a new queue entry, so an old entry only removes
        the value if the stored deadline is the one it recorded.
        """
        while self._queue and self._queue[0][0] <= now:
            deadline, key = heapq.heappop(self._queue)
            entry = self._values.get(key)
            if entry is not None and entry[0] <= now:
                del self._values[key]


class RedisValues:
    """Values in Redis with expiry, shared by every API process."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._failures = 0

    @classmethod
    def from_url(cls, url: str) -> RedisValues:
        return cls(redis.Redis.from_url(url, socket_timeout=2))

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None:
        _check_ttl(ttl_seconds)
        try:
            self._client.set(key, value, ex=ttl_seconds)
        except redis.RedisError as error:
            raise self._failure("put", error) from error

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(key)
        except redis.RedisError as error:
            raise self._failure("get", error) from error
        return _as_bytes(value)

    def take(self, key: str) -> bytes | None:
        # GETDEL (Redis 6.2) reads and deletes atomically.
        try:
            value = self._client.getdel(key)
        except redis.RedisError as error:
            raise self._failure("take", error) from error
        return _as_bytes(value)

    def delete(self, key: str) -> None:
        try:
            self._client.delete(key)
        except redis.RedisError as error:
            raise self._failure("delete", error) from error

    def _failure(self, operation: str, error: redis.RedisError) -> OAuthStoreError:
        self._failures += 1
        logger.error(
            "value store failed",
            extra={"operation": operation, "failures": self._failures},
            exc_info=error,
        )
        return OAuthStoreError(f"{operation} on the Redis value store failed")


def values_for(settings: Settings) -> ValueStore:
    """Return Redis values when ``settings.redis_url`` is set, else in-process ones."""
    if settings.redis_url:
        return RedisValues.from_url(settings.redis_url)
    return MemoryValues()


def _check_ttl(ttl_seconds: int) -> None:
    if isinstance(ttl_seconds, bool) or ttl_seconds < 1:
        raise ValueError(f"ttl_seconds must be a positive integer, got {ttl_seconds!r}")


def _as_bytes(value: object) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    raise OAuthStoreError("the Redis value store returned a value that is not bytes")
