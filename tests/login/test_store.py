"""The value store: expiry, single-use take, and failures, in memory and in Redis."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ccus.login import store
from ccus.login.store import MemoryValues, RedisValues, ValueStore
from ccus.oauth.stores import OAuthStoreError

REDIS_ENV = "CCUS_TEST_REDIS_URL"


@pytest.fixture(params=["memory", "redis"])
def values(request: pytest.FixtureRequest) -> Iterator[ValueStore]:
    if request.param == "memory":
        yield MemoryValues()
        return
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REDIS_ENV} is not set; CI must run against Redis")
        pytest.skip(f"{REDIS_ENV} is not set")
    client = redis.Redis.from_url(url)
    yield RedisValues(client)
    for key in client.scan_iter("test:values:*"):
        client.delete(key)


def test_put_get_take_delete(values: ValueStore) -> None:
    values.put("test:values:a", b"one", 60)
    assert values.get("test:values:a") == b"one"
    values.put("test:values:a", b"two", 60)
    assert values.get("test:values:a") == b"two"
    assert values.take("test:values:a") == b"two"
    assert values.take("test:values:a") is None
    assert values.get("test:values:a") is None
    values.put("test:values:b", b"three", 60)
    values.delete("test:values:b")
    assert values.get("test:values:b") is None
    values.delete("test:values:never")


def test_take_hands_value_to_one_caller(values: ValueStore) -> None:
    values.put("test:values:code", b"secret", 60)
    taken: list[bytes] = []
    barrier = threading.Barrier(16)

    def race() -> None:
        barrier.wait()
        value = values.take("test:values:code")
        if value is not None:
            taken.append(value)

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken == [b"secret"]


def test_rejects_non_positive_ttl(values: ValueStore) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        values.put("test:values:c", b"x", 0)


def test_memory_values_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: now[0])
    values = MemoryValues()
    values.put("short", b"1", 5)
    values.put("long", b"2", 50)
    now[0] = 104.9
    assert values.get("short") == b"1"
    now[0] = 105.0
    assert values.get("short") is None
    assert values.take("short") is None
    assert values.get("long") == b"2"


def test_memory_values_put_again_extends(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: now[0])
    values = MemoryValues()
    values.put("key", b"old", 5)
    now[0] = 4.0
    values.put("key", b"new", 5)
    now[0] = 6.0
    assert values.get("key") == b"new"
    now[0] = 9.0
    assert values.get("key") is None


def test_redis_values_set_expiry() -> None:
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} is not set")
    client = redis.Redis.from_url(url)
    RedisValues(client).put("test:values:ttl", b"x", 30)
    try:
        assert 0 < client.ttl("test:values:ttl") <= 30
    finally:
        client.delete("test:values:ttl")


@pytest.mark.parametrize("operation", ["put", "get", "take", "delete"])
def test_redis_failure_raises_store_error(operation: str) -> None:
    # Port 1 is closed on loopback; without retries the failure comes at once.
    client = redis.Redis(
        host="127.0.0.1",
        port=1,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    values = RedisValues(client)
    call = {
        "put": lambda: values.put("key", b"x", 5),
        "get": lambda: values.get("key"),
        "take": lambda: values.take("key"),
        "delete": lambda: values.delete("key"),
    }[operation]
    with pytest.raises(
        OAuthStoreError, match=f"{operation} on the Redis value store failed"
    ):
        call()
