"""Encryption at rest for narratives and identifiers, and keyed hashes that keep them findable.

Keys come from the environment (OILA_FIELD_KEYS, newest first; OILA_HASH_KEY). Outside production they
are derived from SECRET_KEY so a laptop install needs no set-up. Rotation: put a new key first; values
written with older keys still decrypt, and `rotate` re-encrypts a value under the newest key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"oila:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def _fernets() -> tuple[Fernet, ...]:
    keys = list(getattr(settings, "OILA_FIELD_KEYS", []) or [])
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived("field")).decode()]
    return tuple(Fernet(k.encode() if isinstance(k, str) else k) for k in keys)


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet(list(_fernets()))


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    key = getattr(settings, "OILA_HASH_KEY", "")
    return key.encode() if key else _derived("hash")


def reset_keys() -> None:
    """Forget cached keys (tests that change settings call this)."""
    _fernets.cache_clear()
    _fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # a wrong or missing key must never pass silently
        raise ValueError(
            "An encrypted value could not be decrypted with the configured keys."
        ) from exc


def rotate(value: str) -> str:
    """Re-encrypt a stored value under the newest key."""
    if not value.startswith(PREFIX):
        return encrypt(value)
    return PREFIX + _fernet().rotate(value[len(PREFIX) :].encode("ascii")).decode("ascii")


def encrypt_bytes(data: bytes) -> bytes:
    """Encrypt a file's contents under the newest field key (uploads; see oila.common.uploads)."""
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError(
            "Encrypted content could not be decrypted with the configured keys."
        ) from exc


def rotate_bytes(token: bytes) -> bytes:
    """Re-encrypt a file's contents under the newest key."""
    return _fernet().rotate(token)


def needs_rotation(value: str) -> bool:
    """Whether a stored value is plain text or encrypted under a key other than the newest."""
    if not value.startswith(PREFIX):
        return True
    newest = _fernets()[0]
    try:
        newest.decrypt(value[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return True
    return False


def needs_rotation_bytes(token: bytes) -> bool:
    """Whether an encrypted file is under a key other than the newest."""
    try:
        _fernets()[0].decrypt(token)
    except InvalidToken:
        return True
    return False


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised identifier: equal inputs meet, the hash alone reveals nothing."""
    return hmac.new(_hash_key(), value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet: AES-128-CBC with HMAC); empty stays empty."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
