"""The backup file: a tar archive with ``manifest.json``, optionally encrypted as a whole.

Layout of the tar (format 1): ``manifest.json`` first, then ``database.sqlite3`` (SQLite) or
``database.pgdump`` (``pg_dump --format=custom``), then ``instance/…`` (instance keys, the
audit spool). The manifest names every other member with its size and SHA-256, so a
damaged or tampered archive is refused before anything is restored.

Encrypted files are ``MAGIC`` followed by one Fernet token (AES-128-CBC with HMAC-SHA256,
from the ``cryptography`` package) over the whole tar. The key is a Fernet key from
``VERBUND_BACKUP_KEY``; ``verbund backup-key`` prints a new one. Fernet works on the whole
archive in memory: an installation whose backup does not fit into memory twice needs
unencrypted backups onto an encrypted volume (docs/betrieb.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

from ... import clock

FORMAT_VERSION = 1
MAGIC = b"VERBUND-SICHERUNG-VERSCHLUESSELT-1\n"
MANIFEST = "manifest.json"
KEY_VARIABLE = "VERBUND_BACKUP_KEY"


class BackupError(Exception):
    """A backup or restore cannot go on; the message (German) is meant for the operator."""


def new_key() -> str:
    """A fresh key for ``VERBUND_BACKUP_KEY``."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


def _fernet(key: str):
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise BackupError(
            f"{KEY_VARIABLE} ist kein gültiger Schlüssel (44 Zeichen, wie ihn "
            "„verbund backup-key“ ausgibt)."
        ) from None


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in German (the system's text is English)."""
    if isinstance(exc, FileNotFoundError):
        return "Datei oder Verzeichnis gibt es nicht"
    if isinstance(exc, PermissionError):
        return "keine Berechtigung"
    if isinstance(exc, IsADirectoryError):
        return "ist ein Verzeichnis"
    return f"Systemfehler {exc.errno}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(
    target: Path, manifest: dict[str, Any], members: dict[str, Path], key: str | None
) -> None:
    """Write the archive to ``target`` (readable by the owner only), whole or not at all."""
    manifest = dict(manifest, format=FORMAT_VERSION, encrypted=bool(key))
    manifest["files"] = {
        name: {"size": path.stat().st_size, "sha256": file_sha256(path)}
        for name, path in members.items()
    }
    buffer = io.BytesIO()
    written = clock.now().timestamp()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(body), 0o600, written
        tar.addfile(info, io.BytesIO(body))
        for name, path in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = path.stat().st_size, 0o600, written
            with path.open("rb") as fh:
                tar.addfile(info, fh)
    data = buffer.getvalue()
    if key:
        data = MAGIC + _fernet(key).encrypt(data)
    target = Path(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"{target}: nicht schreibbar ({os_reason(exc)}).") from None


def read_archive(source: Path, key: str | None, into: Path) -> dict[str, Any]:
    """Check and unpack the archive into the directory ``into``; returns the manifest.

    Refuses (BackupError) a missing key, a wrong key, a damaged file or a member whose
    checksum differs from the manifest's, before anything is restored.
    """
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise BackupError(f"{source}: nicht lesbar ({os_reason(exc)}).") from None
    if data.startswith(MAGIC):
        if not key:
            raise BackupError(
                f"{source} ist verschlüsselt: Bitte den Schlüssel in {KEY_VARIABLE} angeben."
            )
        from cryptography.fernet import InvalidToken

        try:
            data = _fernet(key).decrypt(data[len(MAGIC) :])
        except InvalidToken:
            raise BackupError(
                f"{source} lässt sich nicht entschlüsseln: falscher Schlüssel in "
                f"{KEY_VARIABLE} oder die Datei ist beschädigt."
            ) from None
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            return _unpack(tar, Path(source), into)
    except (tarfile.TarError, EOFError, json.JSONDecodeError, UnicodeDecodeError, KeyError):
        raise BackupError(f"{source} ist keine Verbund-Sicherung oder beschädigt.") from None


def _unpack(tar: tarfile.TarFile, source: Path, into: Path) -> dict[str, Any]:
    manifest_file = tar.extractfile(MANIFEST)
    if manifest_file is None:
        raise BackupError(f"{source} ist keine Verbund-Sicherung (manifest.json fehlt).")
    manifest = json.loads(manifest_file.read().decode("utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{source}: Sicherungsformat {manifest.get('format')!r} wird von dieser "
            f"Verbund-Version nicht gelesen (erwartet: {FORMAT_VERSION})."
        )
    for name, expected in manifest["files"].items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts:
            raise BackupError(f"{source}: unzulässiger Name „{name}“ in der Sicherung.")
        member = tar.extractfile(name)
        if member is None:
            raise BackupError(f"{source}: „{name}“ fehlt in der Sicherung.")
        target = into.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with target.open("wb") as out:
            for chunk in iter(lambda m=member: m.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"{source} ist beschädigt: die Prüfsumme von „{name}“ stimmt nicht.")
    return manifest
