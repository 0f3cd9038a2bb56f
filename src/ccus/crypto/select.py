"""Choose the key-encryption key provider that the settings name."""

from __future__ import annotations

from ccus.config import KEK_PROVIDERS, Settings
from ccus.crypto.keyring import KeyringError, KeyringFile
from ccus.crypto.providers import KekProvider, LocalKekProvider


def kek_provider(settings: Settings, keyring_file: KeyringFile) -> KekProvider:
    """Build the provider named by ``settings.kek_provider``.

    ``local`` uses the KEKs in ``keyring_file``. ``pkcs11`` logs in to the
    configured token and checks that the active KEK is on it. No key is ever
    created here.

    Raises:
        KeyringError: a PKCS#11 setting is missing, or the module, the token,
            the login or the active KEK fails. The message names which.
        ValueError: ``settings.kek_provider`` is not a known provider name.
    """
    if settings.kek_provider == "local":
        return LocalKekProvider(keyring_file)
    if settings.kek_provider != "pkcs11":
        raise ValueError(
            f"CCUS_KEK_PROVIDER is {settings.kek_provider!r}; "
            f"set it to one of {', '.join(KEK_PROVIDERS)}"
        )
    module = settings.pkcs11_module
    token = settings.pkcs11_token_label
    pin = settings.pkcs11_pin
    active = settings.pkcs11_active_kek
    if module and token and pin and active:
        from ccus.crypto.pkcs11_provider import Pkcs11KekProvider

        return Pkcs11KekProvider(module, token, pin, active)
    required = {
        "CCUS_PKCS11_MODULE": module,
        "CCUS_PKCS11_TOKEN": token,
        "CCUS_PKCS11_PIN": pin,
        "CCUS_PKCS11_ACTIVE_KEK": active,
    }
    missing = [name for name, value in required.items() if not value]
    raise KeyringError(
        f"CCUS_KEK_PROVIDER is 'pkcs11' but {', '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} not set; set the PKCS#11 "
        "module path, token label, user PIN and active KEK label"
    )
