"""Replay cache and revocation list, in process and in Redis."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator

import pytest
import redis

from ccus.config import load_settings
from ccus.oauth.stores import (
    ExpiringKeys,
    MemoryKeys,
    OAuthStoreError,
    RedisKeys,
    ReplayCache,
    RevokedTokens,
)
from ccus.services import build_services
from tests.conftest import LiveServer, fixed_clock
from tests.e2e.helpers import assert_problem
from tests.keys.conftest import Registry
from tests.oauth.helpers import (
    assert_oauth_error,
    assertion,
    basic_auth,
    new_key,
    public_jwks,
    register,
    request_with_assertion,
    token_for,
)

REDIS_ENV = "CCUS_TEST_REDIS_URL"


def redis_url() -> str:
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REDIS_ENV} is not set; CI must run against Redis")
        pytest.skip(f"{REDIS_ENV} is not set")
    return url


@pytest.fixture(params=["memory", "redis"])
def keys(request: pytest.FixtureRequest) -> Iterator[ExpiringKeys]:
    if request.param == "memory":
        yield MemoryKeys()
        return
    client = redis.Redis.from_url(redis_url())
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_ENV} is unreachable: {error}")
    yield RedisKeys(client)
    client.close()


def test_key_added_once(keys: ExpiringKeys) -> None:
    key = f"ccus-test:{secrets.token_hex(8)}"
    assert not keys.contains(key)
    assert keys.add(key, 60)
    assert not keys.add(key, 60)
    assert keys.contains(key)


def test_key_expires(keys: ExpiringKeys) -> None:
    key = f"ccus-test:{secrets.token_hex(8)}"
    assert keys.add(key, 1)
    time.sleep(1.2)
    assert not keys.contains(key)
    assert keys.add(key, 1)


def test_replay_cache_per_client(keys: ExpiringKeys) -> None:
    cache = ReplayCache(keys, prefix=f"ccus-test:{secrets.token_hex(4)}")
    assert cache.first_use("client-a", "jti-1", expires_at=1060.0, now=1000.0)
    assert not cache.first_use("client-a", "jti-1", expires_at=1060.0, now=1000.0)
    assert cache.first_use("client-b", "jti-1", expires_at=1060.0, now=1000.0)


def test_revocation_list(keys: ExpiringKeys) -> None:
    revoked = RevokedTokens(keys, prefix=f"ccus-test:{secrets.token_hex(4)}")
    assert not revoked.is_revoked("jti-1")
    revoked.revoke("jti-1", expires_at=1600.0, now=1000.0)
    assert revoked.is_revoked("jti-1")
    assert not revoked.is_revoked("jti-2")


def test_unreachable_redis_raises() -> None:
    keys = RedisKeys(redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.5))
    with pytest.raises(OAuthStoreError, match="add"):
        keys.add("ccus-test:x", 10)
    with pytest.raises(OAuthStoreError, match="contains"):
        keys.contains("ccus-test:x")


@pytest.fixture
def redis_server(registry: Registry) -> Iterator[LiveServer]:
    """The registry served with its OAuth stores in Redis."""
    settings = load_settings(
        {
            "CCUS_DATABASE_URL": registry.backend.url,
            "CCUS_KEYS_DIR": str(registry.keys_dir),
            "CCUS_REDIS_URL": redis_url(),
        }
    )
    services = build_services(settings, fixed_clock)
    live = LiveServer(services)
    live.start()
    yield live
    live.stop()
    services.sessions.kw["bind"].dispose()


def test_redis_rejects_replayed_assertion(redis_server: LiveServer) -> None:
    key = new_key()
    client, _ = register(
        redis_server.services, auth_method="private_key_jwt", jwks=public_jwks(key)
    )
    signed = assertion(key, client.client_id, redis_server.services.oauth.issuer)
    assert request_with_assertion(redis_server, signed).status_code == 200
    assert_oauth_error(
        request_with_assertion(redis_server, signed), 401, "invalid_client"
    )


def test_redis_revocation_reaches_other_process(
    redis_server: LiveServer, registry: Registry
) -> None:
    client, secret = register(redis_server.services, acts_as="regulator")
    assert secret is not None
    token = token_for(redis_server, client.client_id, secret)
    # A second process using the same Redis rejects the revoked token.
    other = LiveServer(build_services(redis_server.services.settings, fixed_clock))
    other.start()
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with other.client() as http:
            assert http.get("/audit/events", headers=headers).status_code == 200
        with redis_server.client() as http:
            revoked = http.post(
                "/oauth/revoke",
                data={"token": token},
                headers=basic_auth(client.client_id, secret),
            )
            assert revoked.status_code == 200
        with other.client() as http:
            assert_problem(http.get("/audit/events", headers=headers), 401)
    finally:
        other.stop()
        other.services.sessions.kw["bind"].dispose()


def test_unreachable_redis_fails_closed(registry: Registry) -> None:
    settings = load_settings(
        {
            "CCUS_DATABASE_URL": registry.backend.url,
            "CCUS_KEYS_DIR": str(registry.keys_dir),
            "CCUS_REDIS_URL": "redis://127.0.0.1:1/0",
        }
    )
    services = build_services(settings, fixed_clock)
    live = LiveServer(services)
    live.start()
    try:
        client, secret = register(services, acts_as="regulator")
        assert secret is not None
        token = token_for(live, client.client_id, secret)
        with live.client() as http:
            read = http.get(
                "/audit/events", headers={"Authorization": f"Bearer {token}"}
            )
            revoke = http.post(
                "/oauth/revoke",
                data={"token": token},
                headers=basic_auth(client.client_id, secret),
            )
        assert_problem(read, 503)
        assert revoke.status_code == 503
        assert revoke.json()["error"] == "temporarily_unavailable"
        assert revoke.headers["pragma"] == "no-cache"
    finally:
        live.stop()
        services.sessions.kw["bind"].dispose()
