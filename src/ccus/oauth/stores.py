"""Short-lived keys: used assertion ids, revoked token ids and rate counters.

Each key lives until the token or assertion it names has expired, since an
expired one fails verification anyway. Redis shares the sets between API
processes. The in-process store serves the single-process embedded default.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
import math
import threading
import time
from typing import Protocol

import redis

from ccus.auth.tokens import LEEWAY_SECONDS

logger = logging.getLogger(__name__)


class OAuthStoreError(Exception):
    """The key store failed; the message names the operation."""


class ExpiringKeys(Protocol):
    """A set of keys, each removed once its time to live has passed."""

    def add(self, key: str, ttl_seconds: int) -> bool:
        """Add ``key`` unless it is present, and return whether it was added.

        Raises:
            OAuthStoreError: the store failed.
        """
        ...

    def contains(self, key: str) -> bool:
        """Return whether ``key`` is present.

        Raises:
            OAuthStoreError: the store failed.
        """
        ...

    def count(self, key: str, ttl_seconds: int) -> int:
        """Add one to the counter ``key`` and return it; a new one starts at 1.

        Raises:
            OAuthStoreError: the store failed.
        """
        ...


class MemoryKeys:
    """A thread-safe set inside one process, expiring by the monotonic clock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[str, float] = {}
        self._counts: dict[str, int] = {}
        self._queue: list[tuple[float, str]] = []

    def add(self, key: str, ttl_seconds: int) -> bool:
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if key in self._deadlines:
                return False
            deadline = now + ttl_seconds
            self._deadlines[key] = deadline
            heapq.heappush(self._queue, (deadline, key))
            return True

    def contains(self, key: str) -> bool:
        with self._lock:
            self._expire(time.monotonic())
            return key in self._deadlines

    def count(self, key: str, ttl_seconds: int) -> int:
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if key not in self._deadlines:
                deadline = now + ttl_seconds
                self._deadlines[key] = deadline
                heapq.heappush(self._queue, (deadline, key))
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def _expire(self, now: float) -> None:
        while self._queue and self._queue[0][0] <= now:
            _, key = heapq.heappop(self._queue)
            self._deadlines.pop(key, None)
            self._counts.pop(key, None)


class RedisKeys:
    """A set of Redis keys with expiry, shared by every API process."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._failures = 0

    @classmethod
    def from_url(cls, url: str) -> RedisKeys:
        return cls(redis.Redis.from_url(url, socket_timeout=2))

    def add(self, key: str, ttl_seconds: int) -> bool:
        try:
            return bool(self._client.set(key, b"1", nx=True, ex=ttl_seconds))
        except redis.RedisError as error:
            raise self._failure("add", error) from error

    def contains(self, key: str) -> bool:
        try:
            return bool(self._client.exists(key))
        except redis.RedisError as error:
            raise self._failure("contains", error) from error

    def count(self, key: str, ttl_seconds: int) -> int:
        try:
            pipeline = self._client.pipeline(transaction=True)
            pipeline.set(key, 0, ex=ttl_seconds, nx=True)
            pipeline.incr(key)
            results = pipeline.execute()
        except redis.RedisError as error:
            raise self._failure("count", error) from error
        return int(results[1])

    def _failure(self, operation: str, error: redis.RedisError) -> OAuthStoreError:
        self._failures += 1
        logger.error(
            "oauth key store failed",
            extra={"operation": operation, "failures": self._failures},
            exc_info=error,
        )
        return OAuthStoreError(f"{operation} on the Redis key store failed")


def _ttl(expires_at: float, now: float) -> int:
    """Seconds to keep a key for something that expires at ``expires_at``.

    Verification accepts tokens and assertions up to ``LEEWAY_SECONDS`` past
    their expiry, so the key outlives it by that much.
    """
    return max(1, math.ceil(expires_at - now) + LEEWAY_SECONDS)


class ReplayCache:
    """The ids (``jti``) of client assertions already used, per client."""

    def __init__(self, keys: ExpiringKeys, prefix: str = "ccus:oauth") -> None:
        self._keys = keys
        self._prefix = prefix

    def first_use(
        self, client_id: str, jti: str, expires_at: float, now: float
    ) -> bool:
        """Record a use of assertion ``jti`` and return False if it was used before.

        Raises:
            OAuthStoreError: the store failed.
        """
        # The client chooses the jti, so its hash bounds the key length.
        digest = hashlib.sha256(jti.encode("utf-8", "surrogatepass")).hexdigest()
        key = f"{self._prefix}:assertion:{client_id}:{digest}"
        return self._keys.add(key, _ttl(expires_at, now))


class RateLimiter:
    """A fixed-window limit on requests per subject, such as a client id.

    Windows are aligned to the clock, so every API process sharing the Redis
    store counts in the same window.
    """

    def __init__(
        self,
        keys: ExpiringKeys,
        name: str,
        limit: int,
        window_seconds: int,
        prefix: str = "ccus:oauth",
    ) -> None:
        self._keys = keys
        self._name = name
        self.limit = limit
        self.window_seconds = window_seconds
        self._prefix = prefix

    def allow(self, subject: str, now: float) -> int | None:
        """Count a request of ``subject``; return None, or seconds to wait.

        Raises:
            OAuthStoreError: the store failed.
        """
        window = int(now // self.window_seconds)
        digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()
        key = f"{self._prefix}:rate:{self._name}:{digest}:{window}"
        if self._keys.count(key, self.window_seconds) <= self.limit:
            return None
        return max(1, (window + 1) * self.window_seconds - math.floor(now))


class RevokedTokens:
    """The ids (``jti``) of revoked access tokens that have not expired yet."""

    def __init__(self, keys: ExpiringKeys, prefix: str = "ccus:oauth") -> None:
        self._keys = keys
        self._prefix = prefix

    def revoke(self, jti: str, expires_at: float, now: float) -> None:
        """Revoke token ``jti`` until it expires.

        Raises:
            OAuthStoreError: the store failed.
        """
        self._keys.add(f"{self._prefix}:revoked:{jti}", _ttl(expires_at, now))

    def is_revoked(self, jti: str) -> bool:
        """Return whether token ``jti`` was revoked.

        Raises:
            OAuthStoreError: the store failed.
        """
        return self._keys.contains(f"{self._prefix}:revoked:{jti}")
