"""Backup and restore: the database and the uploaded files (MEDIA_ROOT) in one .tar.

The archive holds `manifest.json` (format, engine, when), the database, and `media/` with every
file under MEDIA_ROOT. PostgreSQL is dumped with `pg_dump -Fc` and restored with `pg_restore --clean
--if-exists --single-transaction` (all or nothing); ownership and grants are not restored, so a
dump from the compose setup restores as another database user. SQLite is copied with its online
backup API, which gives a consistent copy even while the app writes (a plain file copy of a live
database may catch half a transaction). A restore replaces the database and MEDIA_ROOT's contents;
it refuses an archive of the other engine. See docs/operations.md.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from federation import datacache

FORMAT = 1
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    pass


def engine(using="default"):
    vendor = connections[using].vendor
    if vendor not in DUMPS:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {vendor}")
    return vendor


def _pg(program, settings_dict):
    """The command line and environment for a PostgreSQL client program on this database."""
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed (apt-get install postgresql-client, the server's major version or newer)"
        )
    args = [program]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    if settings_dict.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = settings_dict["OPTIONS"]["sslmode"]
    return args, env


def _run(args, env):
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()}")


def _dump(path, using):
    connection = connections[using]
    if engine(using) == "postgresql":
        args, env = _pg("pg_dump", connection.settings_dict)
        _run([*args, "--format=custom", "--file", str(path), connection.settings_dict["NAME"]], env)
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()


def _load(path, using):
    connection = connections[using]
    if engine(using) == "postgresql":
        args, env = _pg("pg_restore", connection.settings_dict)
        connection.close()  # our own session must not hold locks on the tables being replaced
        _run(
            [
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)  # page by page into the live database, in place
        finally:
            source.close()


def media_files(root):
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def backup(output, using="default"):
    """Write the archive to `output` (a path, or a binary stream); returns a summary dict."""
    kind = engine(using)
    media_root = Path(settings.MEDIA_ROOT)
    files = media_files(media_root)
    manifest = {"format": FORMAT, "engine": kind, "created": timezone.now().isoformat(), "media_files": len(files)}
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMPS[kind]
        _dump(dump, using)
        (Path(tmp) / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        if isinstance(output, (str, Path)):
            output = Path(output)
            output.parent.mkdir(parents=True, exist_ok=True)
            partial = output.with_name(output.name + ".partial")  # a failed backup leaves no plausible file
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as stream:
                _write(stream, tmp, dump, media_root, files)
            partial.replace(output)
        else:
            _write(output, tmp, dump, media_root, files)
    return manifest


def _write(stream, tmp, dump, media_root, files):
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        tar.add(Path(tmp) / "manifest.json", arcname="manifest.json")
        tar.add(dump, arcname=dump.name)
        for path in files:
            tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")


def restore(source, using="default"):
    """Replace the database and MEDIA_ROOT's contents with the archive's (a path or a binary stream)."""
    kind = engine(using)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if isinstance(source, (str, Path)):
                with tarfile.open(source, mode="r:") as tar:
                    tar.extractall(tmp, filter="data")  # no absolute paths, no escaping the directory
            else:
                with tarfile.open(fileobj=source, mode="r|") as tar:
                    tar.extractall(tmp, filter="data")
            manifest = json.loads((Path(tmp) / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, tarfile.TarError, ValueError) as error:
            raise BackupError(f"not a Banyan backup: {error}") from error
        if manifest.get("format") != FORMAT or manifest.get("engine") not in DUMPS:
            raise BackupError("not a Banyan backup: unknown format")
        if manifest["engine"] != kind:
            raise BackupError(f"this backup is of a {manifest['engine']} database; the configured database is {kind}")
        _load(Path(tmp) / DUMPS[kind], using)
        datacache.move_on()  # replaced outside Django's connections: what was kept is of the old data
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        for child in media_root.iterdir():  # the root itself may be a mount point: empty it, keep it
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        if (Path(tmp) / "media").is_dir():
            shutil.copytree(Path(tmp) / "media", media_root, dirs_exist_ok=True)
    return {**manifest, "media_files": len(media_files(media_root))}
