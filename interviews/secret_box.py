"""Secrets kept at rest (CalDAV passwords): encrypted with Fernet, keyed from the app's
SECRET_KEY, never stored or shown in the clear.

Each key is derived from a SECRET_KEY with HKDF (SHA-256, a label of its own), so the
session-signing key is never used directly as an encryption key. Rotating SECRET_KEY does
not lose what was stored: list the old key in SECRET_KEY_FALLBACKS (as Flask does for
sessions), and what was written under it still opens; ``reseal`` (`interviews calendars
rekey`) writes it again under the new key, after which the old one can go. A secret whose
key is gone is reported as such (``SecretUnreadable``), never as a wrong password.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_LABEL = b"interview-desk secret box v1"


class SecretUnreadable(ValueError):
    """A stored secret was sealed with a key this server no longer has."""


def _fernet(secret_key: str | bytes) -> Fernet:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def _box(secret_key: str | bytes, fallbacks: Sequence[str | bytes] = ()) -> MultiFernet:
    """The newest key first: it seals; every key opens."""
    return MultiFernet([_fernet(secret_key), *(_fernet(old) for old in fallbacks)])


def seal(plain: str, secret_key: str | bytes, fallbacks: Sequence[str | bytes] = ()) -> str:
    """``plain`` encrypted and authenticated under the current key, as ASCII text."""
    return _box(secret_key, fallbacks).encrypt(plain.encode()).decode("ascii")


def open_sealed(sealed: str, secret_key: str | bytes, fallbacks: Sequence[str | bytes] = ()) -> str:
    """What ``seal`` sealed. Raises SecretUnreadable when no key this server has opens it."""
    try:
        return _box(secret_key, fallbacks).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(
            "The saved password cannot be read: the server's SECRET_KEY changed without "
            "the old one in SECRET_KEY_FALLBACKS. Enter the password again."
        ) from None


def reseal(sealed: str, secret_key: str | bytes, fallbacks: Sequence[str | bytes] = ()) -> str:
    """The same secret sealed again under the current key. Raises SecretUnreadable."""
    try:
        return _box(secret_key, fallbacks).rotate(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable(
            "The saved password cannot be read with any key this server has."
        ) from None
