"""Unguessable secrets for links and tokens, and how they are stored (hashed)."""

import hashlib
import secrets


def new_secret() -> str:
    """An unguessable URL-safe secret (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Secrets here are long and random, so a fast hash is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()
