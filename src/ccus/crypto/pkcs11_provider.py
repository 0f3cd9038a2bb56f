"""Key-encryption keys held in a PKCS#11 token, such as a hardware security module.

The KEK never leaves the token: the token itself encrypts and decrypts data
keys with CKM_AES_GCM (96-bit random nonce, 128-bit tag, the context as the
associated data). A wrapped data key has the same layout as one from
:class:`~ccus.crypto.providers.LocalKekProvider`: nonce, then ciphertext and tag.

A KEK is an AES-256 secret key whose CKA_LABEL is the KEK id. It must be
private, sensitive and not extractable, and allow encryption and decryption.
A key with the label but other attributes is rejected rather than used.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

import pkcs11
from pkcs11 import (
    Attribute,
    DecryptMixin,
    EncryptMixin,
    KeyType,
    Mechanism,
    MechanismFlag,
    ObjectClass,
)
from pkcs11.exceptions import (
    DeviceRemoved,
    KeyHandleInvalid,
    NoSuchToken,
    ObjectHandleInvalid,
    PinIncorrect,
    PKCS11Error,
    SessionClosed,
    SessionHandleInvalid,
    TokenNotPresent,
    UserAlreadyLoggedIn,
    UserNotLoggedIn,
)
from pkcs11.mechanisms import GCMParams

from ccus.crypto.envelope import KEY_BYTES, NONCE_BYTES, DecryptionError
from ccus.crypto.keyring import KeyringError

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Library

logger = logging.getLogger("ccus.crypto.pkcs11")

TAG_BITS = 128

# Attribute values every KEK must have. CKA_PRIVATE keeps the key out of
# sessions that have not logged in with the user PIN.
KEK_ATTRIBUTES: dict[Attribute, object] = {
    Attribute.KEY_TYPE: KeyType.AES,
    Attribute.VALUE_LEN: KEY_BYTES,
    Attribute.PRIVATE: True,
    Attribute.SENSITIVE: True,
    Attribute.EXTRACTABLE: False,
    Attribute.ENCRYPT: True,
    Attribute.DECRYPT: True,
}

# Errors after which the session is unusable, so it is opened again, once.
_SESSION_LOST = (
    DeviceRemoved,
    SessionClosed,
    SessionHandleInvalid,
    TokenNotPresent,
    UserNotLoggedIn,
)
# Errors after which a cached key handle is stale because the key was destroyed
# or replaced on the token, so the label is looked up again, once.
_HANDLE_STALE = (KeyHandleInvalid, ObjectHandleInvalid)


def _load_library(module_path: str) -> Pkcs11Library:
    """Load and initialise a PKCS#11 module.

    python-pkcs11 keeps one instance per path for the whole process, so every
    provider on the same module shares it.
    """
    try:
        return pkcs11.lib(module_path)
    except PKCS11Error as error:
        raise KeyringError(
            f"PKCS#11 module {module_path!r} could not be loaded "
            f"({type(error).__name__}); check the path of the library"
        ) from None


def _find_token(library: Pkcs11Library, module_path: str, label: str) -> pkcs11.Token:
    try:
        return library.get_token(token_label=label)
    except NoSuchToken:
        raise KeyringError(
            f"PKCS#11 token {label!r} was not found in module {module_path!r}; "
            "check the token label and that the token is initialised"
        ) from None
    except PKCS11Error as error:
        raise KeyringError(
            f"PKCS#11 token {label!r} could not be selected in module "
            f"{module_path!r}: {type(error).__name__}"
        ) from None


def _kek_problems(key: pkcs11.SecretKey) -> list[str]:
    """List how ``key`` differs from :data:`KEK_ATTRIBUTES`, empty when it fits."""
    try:
        values = key.get_attributes(list(KEK_ATTRIBUTES))
    except PKCS11Error as error:
        return [f"its attributes could not be read ({type(error).__name__})"]
    problems = []
    for attribute, expected in KEK_ATTRIBUTES.items():
        actual = values.get(attribute)
        if actual != expected:
            problems.append(f"CKA_{attribute.name} is {actual!r}, not {expected!r}")
    return problems


class Pkcs11KekProvider:
    """KEKs in a PKCS#11 token, with AES-256-GCM performed by the token.

    The provider holds one logged-in session, used under a lock so that
    threads may share it. Key handles are found by label on first use and
    cached, and a label that is not cached is looked up again, so a KEK
    created on the token after start-up (by another process too) is found.

    Raises:
        KeyringError: from the constructor, when the module cannot be loaded,
            the token is not found, the login fails or the active KEK is not
            on the token. Messages never contain the PIN.
    """

    def __init__(
        self, module_path: str, token_label: str, pin: str, active_kek_id: str
    ) -> None:
        self._token_label = token_label
        self._pin = pin
        self._active_kek_id = active_kek_id
        self._lock = threading.Lock()
        self._handles: dict[str, pkcs11.SecretKey] = {}
        self._token = _find_token(_load_library(module_path), module_path, token_label)
        self._session = self._open_session()
        logger.info(
            "PKCS#11 session opened",
            extra={"pkcs11_token": token_label, "pkcs11_module": module_path},
        )
        with self._lock:
            self._key(active_kek_id)

    def _open_session(self) -> pkcs11.Session:
        try:
            return self._token.open(rw=True, user_pin=self._pin)
        except UserAlreadyLoggedIn:
            # PKCS#11 keeps the login per application, not per session, so
            # another provider of this process on the same token has logged
            # in already and a session without a PIN shares that login.
            # NOTE: the PIN given here is then not checked, and the session
            # opened by the failed login attempt stays open until the process
            # ends, because python-pkcs11 does not return its handle.
            return self._token.open(rw=True)
        except PinIncorrect:
            raise KeyringError(
                f"the PIN for PKCS#11 token {self._token_label!r} was rejected"
            ) from None
        except PKCS11Error as error:
            raise KeyringError(
                f"login to PKCS#11 token {self._token_label!r} failed: "
                f"{type(error).__name__}"
            ) from None

    def _find_keys(self, label: str | None) -> list[pkcs11.SecretKey]:
        template: dict[Attribute, object] = {
            Attribute.CLASS: ObjectClass.SECRET_KEY,
        }
        if label is not None:
            template[Attribute.LABEL] = label
        return [
            key
            for key in self._session.get_objects(template)
            if isinstance(key, pkcs11.SecretKey)
        ]

    def _key(self, kek_id: str) -> pkcs11.SecretKey:
        """Return the cached handle of KEK ``kek_id``, looking it up if absent.

        The caller must hold ``self._lock``.

        Raises:
            KeyringError: no single key with the KEK attributes has the label.
        """
        cached = self._handles.get(kek_id)
        if cached is not None:
            return cached
        keys = self._find_keys(kek_id)
        where = f"PKCS#11 token {self._token_label!r}"
        if not keys:
            raise KeyringError(f"key-encryption key {kek_id!r} is not on {where}")
        if len(keys) > 1:
            raise KeyringError(
                f"{len(keys)} secret keys on {where} have the label {kek_id!r}; "
                "a KEK label must name exactly one key"
            )
        problems = _kek_problems(keys[0])
        if problems:
            raise KeyringError(
                f"key {kek_id!r} on {where} is not usable as a key-encryption "
                f"key: {'; '.join(problems)}"
            )
        self._handles[kek_id] = keys[0]
        return keys[0]

    def _with_key(
        self, kek_id: str, operation: Callable[[pkcs11.SecretKey], bytes]
    ) -> bytes:
        """Run ``operation`` on KEK ``kek_id``.

        After a lost session or a stale key handle, the session is opened
        again or the label looked up again, and ``operation`` runs once more.
        """
        with self._lock:
            try:
                return operation(self._key(kek_id))
            except _HANDLE_STALE:
                self._handles.pop(kek_id, None)
            except _SESSION_LOST as error:
                logger.warning(
                    "PKCS#11 session lost; opening a new one",
                    extra={
                        "pkcs11_token": self._token_label,
                        "error_type": type(error).__name__,
                    },
                )
                self._handles.clear()
                self._session = self._open_session()
            return operation(self._key(kek_id))

    def active_kek_id(self) -> str:
        return self._active_kek_id

    def kek_ids(self) -> list[str]:
        """Return the labels of every key on the token that is usable as a KEK.

        Every AES-256 secret key with the KEK attributes counts, so the token
        (or HSM partition) should contain only this service's keys.
        """
        with self._lock:
            keys = self._find_keys(None)
            labels = {key.label for key in keys if key.label and not _kek_problems(key)}
        return sorted(labels)

    def wrap(self, kek_id: str, data_key: bytes, context: bytes) -> bytes:
        # NOTE: the nonce comes from this process. Some HSMs in FIPS mode accept
        # only a nonce that the token generates itself, so they reject or replace
        # this one and would need a different wrapping call.
        nonce = os.urandom(NONCE_BYTES)
        parameters = GCMParams(nonce, context, TAG_BITS)

        def encrypt(key: pkcs11.SecretKey) -> bytes:
            # python-pkcs11 adds encrypt() to keys whose CKA_ENCRYPT is true,
            # which _key() has checked. Encrypting bytes returns bytes.
            ciphertext = cast(EncryptMixin, key).encrypt(
                data_key, mechanism=Mechanism.AES_GCM, mechanism_param=parameters
            )
            return cast(bytes, ciphertext)

        return nonce + self._with_key(kek_id, encrypt)

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        if len(wrapped) < NONCE_BYTES + TAG_BITS // 8:
            raise DecryptionError()
        nonce, ciphertext = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        parameters = GCMParams(nonce, context, TAG_BITS)

        def decrypt(key: pkcs11.SecretKey) -> bytes:
            plaintext = cast(DecryptMixin, key).decrypt(
                ciphertext, mechanism=Mechanism.AES_GCM, mechanism_param=parameters
            )
            return cast(bytes, plaintext)

        try:
            return self._with_key(kek_id, decrypt)
        except PKCS11Error:
            # Tokens report a wrong tag differently (SoftHSM 2.6 with
            # CKR_GENERAL_ERROR, others with CKR_ENCRYPTED_DATA_INVALID), and
            # the contract is one opaque error for every failure.
            raise DecryptionError() from None

    def create_kek(self, label: str) -> None:
        """Generate a new KEK on the token under ``label`` with :func:`generate_kek`.

        It does not become active: the active KEK is the label the provider
        was configured with.
        """
        with self._lock:
            generate_kek(self._session, label)
        logger.info(
            "key-encryption key created on PKCS#11 token",
            extra={"pkcs11_token": self._token_label, "kek_id": label},
        )


def generate_kek(session: pkcs11.Session, label: str) -> pkcs11.SecretKey:
    """Generate an AES-256 KEK with :data:`KEK_ATTRIBUTES` in a logged-in session.

    The key is stored on the token and may only encrypt and decrypt. This is
    the way to create the first KEK, before a provider can start.

    Raises:
        ValueError: the label is not 1 to 255 ASCII characters, which the
            wrapped data key format requires of a KEK id.
        KeyringError: a secret key with this label is already on the token.
    """
    if not label.isascii() or not 0 < len(label) < 256:
        raise ValueError(f"KEK label {label!r} must be 1 to 255 ASCII characters")
    # The search is read to the end, because an unfinished one stays active
    # and the next search in the session fails with CKR_OPERATION_ACTIVE.
    existing = list(
        session.get_objects(
            {Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.LABEL: label}
        )
    )
    if existing:
        raise KeyringError(
            f"a secret key labelled {label!r} is already on PKCS#11 token "
            f"{session.token.label!r}; choose a new label"
        )
    return session.generate_key(
        KeyType.AES,
        KEY_BYTES * 8,
        label=label,
        store=True,
        capabilities=MechanismFlag.ENCRYPT | MechanismFlag.DECRYPT,
        template={
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.EXTRACTABLE: False,
        },
    )


__all__ = ["KEK_ATTRIBUTES", "Pkcs11KekProvider", "generate_kek"]
