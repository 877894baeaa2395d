"""Directory login (LDAP / Active Directory) with ldap3, and the accounts it keeps up to date.

The steps of :func:`directory_login`:

1. bind as the service account (``[ldap] bind_dn``, password from the environment) and
   search the person with ``user_filter`` under ``user_base``;
2. an entry that is absent, disabled (AD ``userAccountControl`` bit 2, OpenLDAP
   ``pwdAccountLockedTime``, or a match of ``disabled_filter``) deactivates the account here;
3. bind as the person with the password typed in (the directory decides, never Verbund);
4. the person's groups (``group_base``/``group_filter``, else ``memberOf``) give roles and
   the organisation through ``[[ldap.groups]]``; without a mapped group nobody gets in;
5. the account is created or updated (name, e-mail, roles, organisation) in one transaction.

Which accounts belong to the directory: those without a local password. An account with a
local password (``admin`` from ``verbund init``, emergency accounts) is never looked up, so it
works while the directory is down and no directory entry can take it over.

Nothing personal is logged: no password, no DN, no directory message (they can name people);
only the kind of failure.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field

from ldap3 import BASE, NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPStartTLSError
from ldap3.utils.conv import escape_filter_chars

from ...directory_settings import DirectorySettings
from ...models import User, transaction
from ..audit import audit
from .people import (
    USERNAME_RE,
    authenticate,
    changed_account_fields,
    end_all_sessions,
    get_or_create_organisation,
    revoke_all_tokens,
)

log = logging.getLogger(__name__)

# what the outcome tells the login screen
OK, REFUSED, UNAVAILABLE = "ok", "refused", "unavailable"

UNAVAILABLE_MESSAGE = (
    "Der Verzeichnisdienst (LDAP/Active Directory) ist gerade nicht erreichbar. Die Anmeldung "
    "mit dem Verzeichniskonto ist deshalb im Moment nicht möglich; bitte versuchen Sie es "
    "später erneut. Lokale Notfallzugänge funktionieren weiter."
)
NO_ROLE_MESSAGE = (
    "Ihr Verzeichniskonto gehört zu keiner Gruppe, die in Verbund eine Rolle hat. "
    "Bitte wenden Sie sich an die Administration."
)

AD_DISABLED = 0x2  # userAccountControl: ACCOUNTDISABLE
LOCK_ATTRIBUTE = "pwdAccountLockedTime"  # OpenLDAP ppolicy


class DirectoryUnavailable(Exception):
    """The directory did not answer or refused the service account (no personal data)."""


@dataclass
class DirectoryPerson:
    """What the directory says about one person."""

    dn: str
    name: str = ""
    email: str = ""
    disabled: bool = False
    groups: list[str] = field(default_factory=list)


@dataclass
class LoginOutcome:
    """``status`` OK with the ``user``; REFUSED (wrong password, unknown, disabled, no
    role: ``message`` may say which, when it is safe to tell); UNAVAILABLE."""

    status: str
    user: User | None = None
    message: str = ""
    reason: str = ""  # for the audit log: wrong_password, unknown, disabled, no_role, …


def is_directory_account(user: User | None) -> bool:
    """Accounts without a local password are the directory's (or not set up yet)."""
    return user is not None and not user.password_hash


def _normal_dn(dn: str) -> str:
    """DNs compare case-insensitively and without blanks around separators."""
    return ",".join(part.strip().lower() for part in dn.split(","))


def _first(attributes: dict, name: str) -> str:
    value = attributes.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


class DirectoryClient:
    """Talks to the directory: the service account's searches and the person's bind."""

    def __init__(self, settings: DirectorySettings):
        self.settings = settings
        tls = None
        if settings.url.startswith("ldaps://") or settings.start_tls:
            tls = Tls(
                validate=ssl.CERT_REQUIRED,
                ca_certs_file=settings.ca_file or None,
            )
        self.server = Server(
            settings.url,
            get_info=NONE,  # no schema download: faster, and unknown attributes are fine
            connect_timeout=settings.timeout,
            tls=tls,
        )

    def _connection(self, dn: str, password: str) -> Connection:
        connection = Connection(
            self.server,
            user=dn,
            password=password,
            authentication=SIMPLE,
            receive_timeout=self.settings.timeout,
            raise_exceptions=False,
            auto_referrals=False,
        )
        try:
            connection.open()
            if self.settings.start_tls and not connection.start_tls():
                raise DirectoryUnavailable("start_tls")
        except (LDAPSocketOpenError, LDAPStartTLSError) as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        return connection

    def service(self) -> Connection:
        """The service account, bound; DirectoryUnavailable when it cannot be."""
        connection = self._connection(self.settings.bind_dn, self.settings.bind_password)
        try:
            bound = connection.bind()
        except LDAPException as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        if not bound:
            # a wrong service password or account is the installation's problem, not the
            # person's: say so in the log (without the directory's words), refuse everybody
            log.warning(
                "LDAP: Dienstkonto-Bind abgelehnt (Ergebnis %s)", connection.result.get("result")
            )
            connection.unbind()
            raise DirectoryUnavailable("service_bind")
        return connection

    def find(self, connection: Connection, username: str) -> DirectoryPerson | None:
        """The person named ``username``; None if absent (or not unique)."""
        s = self.settings
        query = s.user_filter.replace("{username}", escape_filter_chars(username))
        attributes = [s.name_attribute, s.email_attribute, "userAccountControl", LOCK_ATTRIBUTE]
        if not s.group_base:
            attributes.append("memberOf")
        # two answers are enough to know the name is not unique
        entries = self._search(connection, s.user_base, query, SUBTREE, attributes, limit=2)
        if len(entries) != 1:
            return None
        dn, values = entries[0]
        person = DirectoryPerson(
            dn=dn,
            name=_first(values, s.name_attribute),
            email=_first(values, s.email_attribute),
        )
        control = _first(values, "userAccountControl")
        person.disabled = (control.isdigit() and bool(int(control) & AD_DISABLED)) or bool(
            values.get(LOCK_ATTRIBUTE)
        )
        if not person.disabled and s.disabled_filter:
            person.disabled = bool(
                self._search(connection, dn, s.disabled_filter, BASE, [], limit=1)
            )
        if s.group_base:
            query = s.group_filter.replace("{dn}", escape_filter_chars(dn)).replace(
                "{username}", escape_filter_chars(username)
            )
            person.groups = [
                g for g, _ in self._search(connection, s.group_base, query, SUBTREE, [], limit=0)
            ]
        else:
            member_of = values.get("memberOf") or []
            person.groups = [
                str(g) for g in (member_of if isinstance(member_of, list) else [member_of])
            ]
        return person

    def _search(
        self,
        connection: Connection,
        base: str,
        query: str,
        scope: str,
        attributes: list[str],
        limit: int,
    ) -> list[tuple[str, dict]]:
        """Entries as ``(dn, attributes)``; ``limit`` 0: as many as the server gives."""
        try:
            connection.search(
                base,
                query,
                search_scope=scope,
                attributes=attributes or ["1.1"],
                size_limit=limit,
                time_limit=self.settings.timeout,
            )
        except LDAPException as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        code = connection.result.get("result", 0)
        if code not in (0, 4, 32):  # success, size limit exceeded (not unique), no such object
            if not connection.bound or code in (51, 52, 80):  # busy, unavailable, other
                raise DirectoryUnavailable(f"search_{code}")
            log.warning("LDAP: Suche mit Ergebnis %s beendet", code)
        return [
            (entry["dn"], dict(entry.get("attributes") or {}))
            for entry in connection.response or []
            if entry.get("type") == "searchResEntry"
        ]

    def password_matches(self, dn: str, password: str) -> bool:
        """Bind as the person: the directory checks the password."""
        connection = self._connection(dn, password)
        try:
            return bool(connection.bind())
        except LDAPException as exc:
            raise DirectoryUnavailable(type(exc).__name__) from None
        finally:
            connection.unbind()


def mapped_access(settings: DirectorySettings, groups: list[str]) -> tuple[list[str], str, str]:
    """``(roles, organisation, organisation label)`` for a person's group DNs."""
    member = {_normal_dn(g) for g in groups}
    roles: list[str] = []
    organisation, label = "", ""
    for mapping in settings.groups:
        if _normal_dn(mapping.group) not in member:
            continue
        roles += [r for r in mapping.roles if r not in roles]
        if mapping.organisation and not organisation:
            organisation, label = mapping.organisation, mapping.organisation_label
    return roles, organisation, label


def directory_login(
    settings: DirectorySettings, username: str, password: str, known_roles: set[str]
) -> LoginOutcome:
    """Log ``username`` in against the directory and bring the account here up to date."""
    username = (username or "").strip().lower()[:64]
    if not password or not USERNAME_RE.match(username):
        # an empty password would be an anonymous bind, which "succeeds"
        return LoginOutcome(REFUSED, reason="invalid_input")
    client = DirectoryClient(settings)
    try:
        connection = client.service()
        try:
            person = client.find(connection, username)
        finally:
            connection.unbind()
        if person is None:
            deactivate(username, "absent")
            return LoginOutcome(REFUSED, reason="unknown")
        if person.disabled:
            deactivate(username, "disabled")
            return LoginOutcome(REFUSED, reason="disabled")
        if not client.password_matches(person.dn, password):
            return LoginOutcome(REFUSED, reason="wrong_password")
    except DirectoryUnavailable as exc:
        log.warning("LDAP nicht erreichbar (%s)", exc)
        return LoginOutcome(UNAVAILABLE, message=UNAVAILABLE_MESSAGE, reason="unavailable")
    roles, organisation, label = mapped_access(settings, person.groups)
    roles = [r for r in roles if r in known_roles]
    if not roles:  # no mapped group (any more): no access here either
        deactivate(username, "no_role")
        return LoginOutcome(REFUSED, message=NO_ROLE_MESSAGE, reason="no_role")
    user = sync_account(username, person, roles, organisation, label)
    if user is None or not user.active:
        return LoginOutcome(REFUSED, reason="local_account")
    return LoginOutcome(OK, user=user)


def sync_account(
    username: str, person: DirectoryPerson, roles: list[str], organisation: str, label: str
) -> User | None:
    """Create or update the directory account; None if the name is a local account's."""
    with transaction():
        user = User.get_or_none(User.username == username)
        if user is not None and not is_directory_account(user):
            return None  # a local account is never taken over by a directory entry
        org = get_or_create_organisation(organisation, label or None) if organisation else None
        wanted = {
            "display_name": (person.name or username)[:200],
            "email": person.email[:254],
            "roles": roles,
            "organisation": org.id if org else None,
            "active": True,
        }
        if user is None:
            user = User.create(username=username, password_hash="", **wanted)
            audit(
                "user.directory_create",
                None,
                object_type="user",
                object_id=user.id,
                detail={"username": username, "roles": roles, "organisation": organisation},
            )
            return user
        changed = changed_account_fields(user, wanted)
        if changed:
            User.update(**wanted).where(User.id == user.id).execute()
            # only the names of what changed, and roles/organisation (no personal data)
            detail = {"username": username, "changed": changed}
            if "roles" in changed or "organisation" in changed:
                detail.update(roles=roles, organisation=organisation)
            audit(
                "user.directory_update", None, object_type="user", object_id=user.id, detail=detail
            )
            user = User.get_by_id(user.id)
        return user


def deactivate(username: str, why: str) -> bool:
    """Deactivate the directory account ``username`` (absent or disabled there)."""
    with transaction():
        user = User.get_or_none(User.username == username)
        if user is None or not is_directory_account(user) or not user.active:
            return False
        User.update(active=False).where(User.id == user.id).execute()
        sessions = end_all_sessions(user)
        tokens = revoke_all_tokens(user)
        audit(
            "user.directory_disable",
            None,
            object_type="user",
            object_id=user.id,
            detail={
                "username": username,
                "why": why,
                "sessions_ended": sessions,
                "tokens_revoked": tokens,
            },
        )
    return True


def password_login(
    settings: DirectorySettings, username: str, password: str, known_roles: set[str]
) -> LoginOutcome:
    """The login with a user name and password, for every front door.

    Accounts with a local password log in with it (also while the directory is down);
    every other name is asked of the directory when ``[ldap] url`` is set.
    """
    name = (username or "").strip().lower()[:64]
    local = User.get_or_none(User.username == name)
    if not settings.enabled or (local is not None and not is_directory_account(local)):
        user = authenticate(name, password)
        if user is None:
            return LoginOutcome(REFUSED, reason="wrong_password")
        return LoginOutcome(OK, user=user)
    return directory_login(settings, name, password, known_roles)
