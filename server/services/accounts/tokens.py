"""API tokens given and revoked by an administrator.

Only a token's first characters and its SHA-256 are stored (:func:`.people.issue_token`), so a
lost token cannot be shown again: it is revoked and a new one made. A token for a person
with a privacy role the administrator lacks is refused (it would lend that role); the
command line on the server (``verbund token``) stays open.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import ApiToken, User, transaction, utcnow
from ..audit import audit
from ..errors import Invalid, NotFound
from .people import issue_token
from .role_grants import borrowed_message, borrowed_roles


def issue_token_for(
    owner_id: Any, label: str, *, privacy: Mapping[str, Any], actor: User | None
) -> tuple[User, str]:
    """(owner, clear-text token) for the active person ``owner_id``; Invalid (key ``user``)
    for nobody, a deactivated person, or a borrowed privacy role."""
    owner = User.get_or_none((User.id == owner_id) & (User.active == True))  # noqa: E712
    if owner is None:
        problem = "Bitte eine aktive Person wählen."
    else:
        borrowed = borrowed_roles(owner, actor, privacy)
        problem = borrowed_message(owner, borrowed, "Einen API-Token") if borrowed else ""
    if problem:
        raise Invalid(problem, {"user": [problem]})
    with transaction():
        secret = issue_token(owner, (label or "").strip(), actor=actor)
    return owner, secret


def revoke_token(token_id: Any, actor: User | None) -> tuple[ApiToken, bool]:
    """Revoke a token; (token, False) when it was revoked already. NotFound for none."""
    token = ApiToken.get_or_none(ApiToken.id == token_id)
    if token is None:
        raise NotFound("Diesen Token gibt es nicht.")
    with transaction():
        changed = (
            ApiToken.update(revoked_at=utcnow())
            .where((ApiToken.id == token.id) & ApiToken.revoked_at.is_null())
            .execute()
        )
        if changed:
            audit(
                "token.revoke",
                actor,
                object_type="token",
                object_id=token.prefix,
                detail={"for": token.user.username},
            )
    return token, bool(changed)
