"""A real OpenLDAP ``slapd`` for tests: own config, own database, own port, current user.

Debian's ``slapd`` and ``ldap-utils`` (installed by .ci/run) are required: without them the
tests fail with a clear message instead of being skipped. The server gets a private
``slapd.conf`` in a temporary folder (``slapd -f``), a small MDB database there, and listens
on a free port of 127.0.0.1 only; it is stopped by its process id.

The directory mimics what a city's Active Directory offers Verbund: a service account that may
search, people with ``userAccountControl`` (AD's attribute, declared in a tiny extra schema
because OpenLDAP does not know it), and ``groupOfNames`` groups.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
SUFFIX = "dc=stadt,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "slapd-admin-geheim"
SERVICE_DN = f"cn=verbund,ou=dienste,{SUFFIX}"
SERVICE_PASSWORD = "dienst-konto-geheim"

# AD's userAccountControl and memberOf (OIDs of Microsoft's schema; AD keeps memberOf up to
# date itself, here the LDIF writes it) on an auxiliary class of our own
AD_SCHEMA = """\
attributetype ( 1.2.840.113556.1.4.8 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.102 NAME 'memberOf'
  EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )
objectclass ( 1.3.6.1.4.1.55555.1.1 NAME 'verbundTestAccount' SUP top AUXILIARY
  MAY ( userAccountControl $ memberOf ) )
"""

CONFIG = """\
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {folder}/ad.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
argsfile {folder}/slapd.args

database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {admin_password}
directory {folder}/data

# like a real directory: passwords only for binding, nothing for anonymous readers
access to attrs=userPassword
  by self write
  by anonymous auth
  by * none
access to *
  by users read
  by * none
"""


@dataclass
class Slapd:
    """A running slapd; ``url`` is where it listens."""

    url: str
    folder: Path
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_slapd() -> None:
    """Fail (never skip) when the Debian packages are missing: CI installs them."""
    missing = [p for p in (SLAPD, SLAPADD) if not Path(p).exists()]
    if missing or shutil.which("ldapsearch") is None:
        raise RuntimeError(
            "slapd/ldap-utils fehlen: apt-get install slapd ldap-utils (.ci/run tut das)"
        )


def start_slapd(folder: Path, ldif: str) -> Slapd:
    """Write the config, load ``ldif`` with slapadd (offline, fast) and start slapd."""
    require_slapd()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(exist_ok=True)
    (folder / "ad.schema").write_text(AD_SCHEMA)
    conf = folder / "slapd.conf"
    conf.write_text(
        CONFIG.format(
            schema=SCHEMA_DIR,
            folder=folder,
            suffix=SUFFIX,
            admin=ADMIN_DN,
            admin_password=ADMIN_PASSWORD,
        )
    )
    (folder / "data.ldif").write_text(ldif)
    subprocess.run(
        [SLAPADD, "-q", "-f", str(conf), "-l", str(folder / "data.ldif")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (a child we can stop by its id), log nothing
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"{url}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd startete nicht: {process.stderr.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Slapd(url, folder, process)
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError("slapd antwortete nicht innerhalb von 10 s")


def person(
    uid: str, name: str, password: str, mail: str, control: int = 512, groups: tuple = ()
) -> str:
    """An LDIF entry for a person under ou=leute (``control`` 514: disabled, as in AD;
    ``groups``: the cn of each group, written to ``memberOf`` as AD shows it)."""
    given, _, family = name.partition(" ")
    member_of = "".join(f"memberOf: cn={g},ou=gruppen,{SUFFIX}\n" for g in groups)
    return f"""\
dn: uid={uid},ou=leute,{SUFFIX}
objectClass: inetOrgPerson
objectClass: verbundTestAccount
uid: {uid}
cn: {name}
sn: {family or name}
givenName: {given}
displayName: {name}
mail: {mail}
userPassword: {password}
userAccountControl: {control}
{member_of}"""


def group(cn: str, members: list[str]) -> str:
    lines = [
        f"dn: cn={cn},ou=gruppen,{SUFFIX}",
        "objectClass: groupOfNames",
        f"cn: {cn}",
    ]
    lines += [f"member: uid={m},ou=leute,{SUFFIX}" for m in members]
    return "\n".join(lines) + "\n"


def base_entries() -> str:
    """The tree, the service account and the organisational units."""
    return f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: stadt
o: Stadt Beispiel

dn: ou=leute,{SUFFIX}
objectClass: organizationalUnit
ou: leute

dn: ou=gruppen,{SUFFIX}
objectClass: organizationalUnit
ou: gruppen

dn: ou=dienste,{SUFFIX}
objectClass: organizationalUnit
ou: dienste

dn: {SERVICE_DN}
objectClass: person
cn: verbund
sn: Dienstkonto
userPassword: {SERVICE_PASSWORD}
"""
