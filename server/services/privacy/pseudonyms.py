"""Keyed-hash pseudonyms for exports: the same record always gets the same pseudonym, and
without the key nobody can tell which record it is.

HMAC-SHA256 with ``[privacy] pseudonym_key`` (or ``VERBUND_PSEUDONYM_KEY``); without one, a
random key is created once under ``instance/pseudonym_key``. The key is deliberately not the
session secret: it can be kept apart (e.g. by the DPO) and rotated on its own, and rotating
it makes earlier exports unlinkable to later ones.
"""

from __future__ import annotations

import hashlib
import hmac

from ...config import Settings, ensure_instance_key


def pseudonym_key(settings: Settings) -> str:
    """The installation's pseudonym key (configured, or made once under ``instance/``)."""
    return ensure_instance_key(
        settings, "pseudonym_key", settings.section("privacy").get("pseudonym_key", "")
    )


def pseudonym(kind: str, value: int | str, key: str) -> str:
    """A stable 16-character pseudonym for ``kind`` ``value`` (e.g. "record", 12) under ``key``
    (:func:`pseudonym_key`)."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:16]
