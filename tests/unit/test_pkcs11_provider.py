"""The PKCS#11 KEK provider against a SoftHSM2 token standing in for an HSM.

SoftHSM2 reads its configuration once, when the process first initialises
the module, and python-pkcs11 keeps the module loaded for the whole process.
So one token, created before the first load, serves every test here, and
each test makes KEKs with labels of its own.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pkcs11
import pytest
from pkcs11 import Attribute, KeyType, MechanismFlag
from pkcs11.exceptions import AttributeSensitive

from ccus.config import load_settings
from ccus.crypto import envelope
from ccus.crypto.envelope import DecryptionError
from ccus.crypto.keyring import KeyringError
from ccus.crypto.pkcs11_provider import Pkcs11KekProvider, generate_kek
from ccus.crypto.providers import LocalKekProvider
from ccus.demo.dataset import build_dataset
from ccus.registry.vault import ENCRYPTED_GROUPS, WorkerVault
from ccus.services import build_services

SOFTHSM_MODULE_PATHS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "ccus-test"
# Distinctive values, so that a test can tell that a message leaks none.
PIN = "user-pin-5830417"
SO_PIN = "so-pin-9926104"
CONTEXT = b"ccus.datakey.v1\x00worker_keys\x0000000000000001\x001"
NOW = datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def find_softhsm_module() -> str | None:
    """Return the path of the SoftHSM2 PKCS#11 module, if it is installed."""
    for path in SOFTHSM_MODULE_PATHS:
        if Path(path).is_file():
            return path
    return None


def new_label() -> str:
    return f"key-encryption-{NOW:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class SoftHsm:
    """A SoftHSM2 token initialised for this test session."""

    module: str
    token_label: str
    pin: str
    first_kek: str

    def provider(self, active_kek: str | None = None) -> Pkcs11KekProvider:
        return Pkcs11KekProvider(
            self.module, self.token_label, self.pin, active_kek or self.first_kek
        )

    def session(self) -> pkcs11.Session:
        """Open a session without a PIN.

        It shares the login of the providers of this process, because
        PKCS#11 keeps the login per application, so a provider must exist.
        """
        return (
            pkcs11.lib(self.module)
            .get_token(token_label=self.token_label)
            .open(rw=True)
        )

    def environment(self) -> dict[str, str]:
        return {
            "CCUS_KEK_PROVIDER": "pkcs11",
            "CCUS_PKCS11_MODULE": self.module,
            "CCUS_PKCS11_TOKEN": self.token_label,
            "CCUS_PKCS11_PIN": self.pin,
            "CCUS_PKCS11_ACTIVE_KEK": self.first_kek,
        }


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    module = find_softhsm_module()
    util = shutil.which("softhsm2-util")
    if module is None or util is None:
        message = (
            "SoftHSM2 is not installed; install the Debian package softhsm2 "
            "(apt-get install softhsm2) to run the PKCS#11 tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("softhsm")
    tokens = directory / "tokens"
    tokens.mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {tokens}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        subprocess.run(  # noqa: S603 - softhsm2-util with fixed arguments
            [
                util,
                "--init-token",
                "--free",
                "--label",
                TOKEN_LABEL,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ],
            check=True,
            capture_output=True,
        )
        first_kek = new_label()
        token = pkcs11.lib(module).get_token(token_label=TOKEN_LABEL)
        session = token.open(rw=True, user_pin=PIN)
        generate_kek(session, first_kek)
        # Closing the only session logs out, so providers log in afresh.
        session.close()
        yield SoftHsm(module, TOKEN_LABEL, PIN, first_kek)


@pytest.fixture
def provider(softhsm: SoftHsm) -> Pkcs11KekProvider:
    return softhsm.provider()


def run_python(
    code: str, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new Python process, which logs in to the token anew."""
    return subprocess.run(  # noqa: S603 - this interpreter and code from the test
        [sys.executable, "-c", code],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wrap_round_trips(provider: Pkcs11KekProvider) -> None:
    data_key = envelope.new_data_key()
    kek_id = provider.active_kek_id()
    wrapped = provider.wrap(kek_id, data_key, CONTEXT)
    assert len(wrapped) == envelope.NONCE_BYTES + len(data_key) + 16
    assert data_key not in wrapped
    assert provider.unwrap(kek_id, wrapped, CONTEXT) == data_key


def test_wrap_uses_fresh_nonce(provider: Pkcs11KekProvider) -> None:
    data_key = envelope.new_data_key()
    kek_id = provider.active_kek_id()
    first = provider.wrap(kek_id, data_key, CONTEXT)
    second = provider.wrap(kek_id, data_key, CONTEXT)
    assert first[: envelope.NONCE_BYTES] != second[: envelope.NONCE_BYTES]
    assert first != second


@pytest.mark.parametrize(
    "context",
    [b"", CONTEXT + b"x", CONTEXT.replace(b"0001", b"0002")],
    ids=["empty", "longer", "other worker"],
)
def test_other_context_fails(provider: Pkcs11KekProvider, context: bytes) -> None:
    kek_id = provider.active_kek_id()
    wrapped = provider.wrap(kek_id, envelope.new_data_key(), CONTEXT)
    with pytest.raises(DecryptionError):
        provider.unwrap(kek_id, wrapped, context)


def test_any_changed_byte_fails(provider: Pkcs11KekProvider) -> None:
    kek_id = provider.active_kek_id()
    wrapped = provider.wrap(kek_id, envelope.new_data_key(), CONTEXT)
    for index in range(len(wrapped)):
        changed = bytearray(wrapped)
        changed[index] ^= 0x01
        with pytest.raises(DecryptionError):
            provider.unwrap(kek_id, bytes(changed), CONTEXT)


@pytest.mark.parametrize("length", [0, 11, 12, 27])
def test_truncated_value_fails(provider: Pkcs11KekProvider, length: int) -> None:
    kek_id = provider.active_kek_id()
    wrapped = provider.wrap(kek_id, envelope.new_data_key(), CONTEXT)
    with pytest.raises(DecryptionError):
        provider.unwrap(kek_id, wrapped[:length], CONTEXT)


def test_unknown_kek_raises_keyring_error(provider: Pkcs11KekProvider) -> None:
    wrapped = provider.wrap(provider.active_kek_id(), b"\x00" * 32, CONTEXT)
    with pytest.raises(KeyringError, match="key-encryption-unknown"):
        provider.wrap("key-encryption-unknown", b"\x00" * 32, CONTEXT)
    with pytest.raises(KeyringError, match="key-encryption-unknown"):
        provider.unwrap("key-encryption-unknown", wrapped, CONTEXT)


def test_kek_under_wrong_id_fails(softhsm: SoftHsm) -> None:
    other = new_label()
    provider = softhsm.provider()
    provider.create_kek(other)
    wrapped = provider.wrap(provider.active_kek_id(), b"\x00" * 32, CONTEXT)
    with pytest.raises(DecryptionError):
        provider.unwrap(other, wrapped, CONTEXT)


def test_missing_active_kek_fails_start(softhsm: SoftHsm) -> None:
    with pytest.raises(KeyringError, match="key-encryption-absent") as raised:
        softhsm.provider("key-encryption-absent")
    assert PIN not in str(raised.value)


def test_kek_created_by_other_process_found(
    softhsm: SoftHsm, provider: Pkcs11KekProvider
) -> None:
    label = new_label()
    assert label not in provider.kek_ids()
    created = run_python(
        "import os\n"
        "from ccus.crypto.pkcs11_provider import Pkcs11KekProvider\n"
        "provider = Pkcs11KekProvider(os.environ['CCUS_PKCS11_MODULE'], "
        "os.environ['CCUS_PKCS11_TOKEN'], os.environ['CCUS_PKCS11_PIN'], "
        "os.environ['CCUS_PKCS11_ACTIVE_KEK'])\n"
        "provider.create_kek(os.environ['NEW_KEK_LABEL'])\n",
        {**softhsm.environment(), "NEW_KEK_LABEL": label},
    )
    assert created.returncode == 0, created.stderr
    assert label in provider.kek_ids()
    data_key = envelope.new_data_key()
    wrapped = provider.wrap(label, data_key, CONTEXT)
    assert provider.unwrap(label, wrapped, CONTEXT) == data_key


def test_old_kek_unwraps_after_rotation(softhsm: SoftHsm) -> None:
    old = new_label()
    new = new_label()
    before = softhsm.provider()
    before.create_kek(old)
    before = softhsm.provider(old)
    data_key = envelope.new_data_key()
    old_id, blob = envelope.wrap_data_key(before, data_key, "00000000000001", 1)
    assert old_id == old

    before.create_kek(new)
    after = softhsm.provider(new)
    assert after.active_kek_id() == new
    assert {old, new} <= set(after.kek_ids())
    assert envelope.wrapped_kek_id(blob) == old
    assert envelope.unwrap_data_key(after, blob, "00000000000001", 1) == data_key
    new_id, new_blob = envelope.wrap_data_key(after, data_key, "00000000000001", 1)
    assert new_id == new
    assert envelope.unwrap_data_key(after, new_blob, "00000000000001", 1) == data_key


def test_create_kek_sets_attributes(softhsm: SoftHsm) -> None:
    label = new_label()
    softhsm.provider().create_kek(label)
    session = softhsm.session()
    key = session.get_key(label=label)
    assert key[Attribute.TOKEN] is True
    assert key[Attribute.PRIVATE] is True
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.EXTRACTABLE] is False
    assert key[Attribute.NEVER_EXTRACTABLE] is True
    assert key[Attribute.ALWAYS_SENSITIVE] is True
    assert key[Attribute.VALUE_LEN] == 32
    assert key[Attribute.WRAP] is False
    assert key[Attribute.SIGN] is False
    session.close()


def test_kek_value_is_not_readable(softhsm: SoftHsm) -> None:
    softhsm.provider()
    session = softhsm.session()
    key = session.get_key(label=softhsm.first_kek)
    with pytest.raises(AttributeSensitive):
        key[Attribute.VALUE]
    session.close()


def test_create_kek_rejects_duplicate_label(softhsm: SoftHsm) -> None:
    provider = softhsm.provider()
    with pytest.raises(KeyringError, match="already on PKCS#11 token"):
        provider.create_kek(softhsm.first_kek)


@pytest.mark.parametrize("label", ["", "鍵", "k" * 256])
def test_create_kek_rejects_bad_label(softhsm: SoftHsm, label: str) -> None:
    with pytest.raises(ValueError, match="1 to 255 ASCII"):
        softhsm.provider().create_kek(label)


@pytest.mark.parametrize(
    ("template", "attribute"),
    [
        ({Attribute.EXTRACTABLE: True}, "CKA_EXTRACTABLE"),
        ({Attribute.SENSITIVE: False}, "CKA_SENSITIVE"),
        ({Attribute.PRIVATE: False}, "CKA_PRIVATE"),
    ],
    ids=["extractable", "not sensitive", "public"],
)
def test_weak_key_is_rejected(
    softhsm: SoftHsm, template: dict[Attribute, bool], attribute: str
) -> None:
    label = new_label()
    provider = softhsm.provider()
    session = softhsm.session()
    session.generate_key(
        KeyType.AES,
        256,
        label=label,
        store=True,
        capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
        template={
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
            **template,
        },
    )
    session.close()
    with pytest.raises(KeyringError, match=attribute):
        provider.wrap(label, envelope.new_data_key(), CONTEXT)
    assert label not in provider.kek_ids()


def test_short_aes_key_is_rejected(softhsm: SoftHsm) -> None:
    label = new_label()
    provider = softhsm.provider()
    session = softhsm.session()
    session.generate_key(
        KeyType.AES,
        128,
        label=label,
        store=True,
        capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
        template={Attribute.EXTRACTABLE: False},
    )
    session.close()
    with pytest.raises(KeyringError, match="CKA_VALUE_LEN"):
        provider.wrap(label, envelope.new_data_key(), CONTEXT)


def test_destroyed_kek_raises_keyring_error(softhsm: SoftHsm) -> None:
    label = new_label()
    provider = softhsm.provider()
    provider.create_kek(label)
    wrapped = provider.wrap(label, envelope.new_data_key(), CONTEXT)
    session = softhsm.session()
    session.get_key(label=label).destroy()
    session.close()
    with pytest.raises(KeyringError, match=label):
        provider.unwrap(label, wrapped, CONTEXT)


def test_replaced_kek_is_looked_up_again(softhsm: SoftHsm) -> None:
    label = new_label()
    provider = softhsm.provider()
    provider.create_kek(label)
    provider.wrap(label, envelope.new_data_key(), CONTEXT)
    session = softhsm.session()
    session.get_key(label=label).destroy()
    generate_kek(session, label)
    session.close()
    data_key = envelope.new_data_key()
    wrapped = provider.wrap(label, data_key, CONTEXT)
    assert provider.unwrap(label, wrapped, CONTEXT) == data_key


def test_lost_session_is_reopened(
    provider: Pkcs11KekProvider, caplog: pytest.LogCaptureFixture
) -> None:
    kek_id = provider.active_kek_id()
    data_key = envelope.new_data_key()
    wrapped = provider.wrap(kek_id, data_key, CONTEXT)
    # Closing the session behind the provider's back simulates a token or
    # network HSM that dropped it.
    provider._session.close()
    with caplog.at_level("WARNING", logger="ccus.crypto.pkcs11"):
        assert provider.unwrap(kek_id, wrapped, CONTEXT) == data_key
    assert "PKCS#11 session lost" in caplog.text
    assert provider.unwrap(kek_id, wrapped, CONTEXT) == data_key


def test_provider_shared_by_threads(provider: Pkcs11KekProvider) -> None:
    kek_id = provider.active_kek_id()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                data_key = envelope.new_data_key()
                wrapped = provider.wrap(kek_id, data_key, CONTEXT)
                assert provider.unwrap(kek_id, wrapped, CONTEXT) == data_key
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []


def test_wrong_pin_fails_without_showing_it(softhsm: SoftHsm) -> None:
    # A new process, because in this one the token is logged in already and
    # PKCS#11 then reports that instead of checking the PIN.
    result = run_python(
        "import os\n"
        "from ccus.crypto.keyring import KeyringError\n"
        "from ccus.crypto.pkcs11_provider import Pkcs11KekProvider\n"
        "try:\n"
        "    Pkcs11KekProvider(os.environ['CCUS_PKCS11_MODULE'], "
        "os.environ['CCUS_PKCS11_TOKEN'], os.environ['CCUS_PKCS11_PIN'], "
        "os.environ['CCUS_PKCS11_ACTIVE_KEK'])\n"
        "except KeyringError as error:\n"
        "    print(error)\n",
        {**softhsm.environment(), "CCUS_PKCS11_PIN": "wrong-pin-7741"},
    )
    assert result.returncode == 0, result.stderr
    assert "PIN for PKCS#11 token 'ccus-test' was rejected" in result.stdout
    assert "wrong-pin-7741" not in result.stdout + result.stderr


def test_unloadable_module_fails_start(softhsm: SoftHsm, tmp_path: Path) -> None:
    missing = str(tmp_path / "libmissing.so")
    with pytest.raises(KeyringError, match="libmissing.so") as raised:
        Pkcs11KekProvider(missing, softhsm.token_label, PIN, softhsm.first_kek)
    assert PIN not in str(raised.value)


def test_settings_reject_unknown_provider() -> None:
    with pytest.raises(ValueError, match="CCUS_KEK_PROVIDER") as raised:
        load_settings({"CCUS_KEK_PROVIDER": "vault"})
    assert "'local'" in str(raised.value)
    assert "'pkcs11'" in str(raised.value)


def test_settings_repr_hides_pin(softhsm: SoftHsm) -> None:
    settings = load_settings(softhsm.environment())
    assert settings.pkcs11_pin == PIN
    assert PIN not in repr(settings)


def test_services_use_local_provider_by_default(keys_dir: Path, tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CCUS_KEYS_DIR": str(keys_dir),
            "CCUS_DATABASE_URL": f"sqlite:///{tmp_path / 'ccus.sqlite3'}",
        }
    )
    services = build_services(settings)
    assert isinstance(services.vault.provider, LocalKekProvider)


def test_services_use_pkcs11_provider(
    softhsm: SoftHsm, keys_dir: Path, tmp_path: Path
) -> None:
    settings = load_settings(
        {
            **softhsm.environment(),
            "CCUS_KEYS_DIR": str(keys_dir),
            "CCUS_DATABASE_URL": f"sqlite:///{tmp_path / 'ccus.sqlite3'}",
        }
    )
    services = build_services(settings)
    assert isinstance(services.vault.provider, Pkcs11KekProvider)
    assert services.vault.provider.active_kek_id() == softhsm.first_kek


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CCUS_PKCS11_TOKEN", "", "CCUS_PKCS11_TOKEN is not set"),
        ("CCUS_PKCS11_TOKEN", "no-such-token", "'no-such-token' was not found"),
        ("CCUS_PKCS11_MODULE", "", "CCUS_PKCS11_MODULE is not set"),
        ("CCUS_PKCS11_PIN", "", "CCUS_PKCS11_PIN is not set"),
        ("CCUS_PKCS11_ACTIVE_KEK", "", "CCUS_PKCS11_ACTIVE_KEK is not set"),
        ("CCUS_PKCS11_ACTIVE_KEK", "key-encryption-none", "'key-encryption-none'"),
    ],
    ids=[
        "token unset",
        "token not found",
        "module unset",
        "pin unset",
        "active unset",
        "active not found",
    ],
)
def test_services_fail_start_naming_missing_setting(
    softhsm: SoftHsm,
    keys_dir: Path,
    tmp_path: Path,
    variable: str,
    value: str,
    expected: str,
) -> None:
    environment = {
        **softhsm.environment(),
        "CCUS_KEYS_DIR": str(keys_dir),
        "CCUS_DATABASE_URL": f"sqlite:///{tmp_path / 'ccus.sqlite3'}",
        variable: value,
    }
    with pytest.raises(KeyringError) as raised:
        build_services(load_settings(environment))
    assert expected in str(raised.value)
    assert PIN not in str(raised.value)


def test_vault_round_trip(provider: Pkcs11KekProvider) -> None:
    vault = WorkerVault(provider)
    worker = build_dataset(workers=20).workers[0]
    row, key_row = vault.seal_worker(worker.worker_id, worker.groups, NOW)
    assert key_row.kek_id == provider.active_kek_id()
    data_key = vault.data_key(key_row)
    for group in ENCRYPTED_GROUPS:
        blob = getattr(row, f"{group}_ct")
        opened = vault.open_group(worker.worker_id, data_key, group, blob)
        assert msgspec.to_builtins(opened) == msgspec.to_builtins(
            worker.groups[group]
        ), group


def test_vault_key_of_other_worker_fails(provider: Pkcs11KekProvider) -> None:
    vault = WorkerVault(provider)
    worker = build_dataset(workers=20).workers[0]
    _, key_row = vault.seal_worker(worker.worker_id, worker.groups, NOW)
    key_row.worker_id = "00000000000099"
    with pytest.raises(DecryptionError):
        vault.data_key(key_row)
