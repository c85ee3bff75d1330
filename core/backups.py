"""Backups that restore: the database and every stored file in one folder (`manage.py backup`,
`make backup`), put back into an empty database and an empty bucket or media folder
(`manage.py restore`, `make restore FROM=...`).

A backup is a folder, by default var/backups/<UTC time>/ (made 0700: it holds personal data):

    db.dump         PostgreSQL: `pg_dump --format=custom`; SQLite: db.sqlite3, a copy made with
                    SQLite's online backup
    media/<name>    every file: each object of the bucket (AWS_STORAGE_BUCKET_NAME), or each file
                    under MEDIA_ROOT, under its storage name
    manifest.json   when it was made, the database's tables with their row counts, each file's
                    name, size, SHA-256 and content type, the bucket's policy

It is written as <folder>.partial and renamed when complete, so a folder without that suffix is a
whole backup. The database is dumped first, then the files are copied: the storage never
overwrites a name (AWS_S3_FILE_OVERWRITE off; Django's file storage neither), so every file a
dumped row names is still there when the files are copied, unless it was deleted in between (an
erasure, a retired rendition). Files added after the dump come along, unreferenced and harmless.
On PostgreSQL the row counts come from the same snapshot pg_dump reads (pg_export_snapshot), so
the restore can check it got exactly the rows that were dumped.

Restore refuses a database with any table in it, and a bucket or media folder with any file in
it, unless `--force` (then pg_restore drops and recreates the dumped objects, and files of the
same names are replaced). Every checksum is verified before anything is written; the database
is restored in one transaction (all or nothing), then the files are uploaded, then the row and
file counts are compared with the manifest and the cache is emptied (pages and totals cached from
what was there before).
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from botocore.exceptions import ClientError
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from storages.backends.s3 import S3Storage

from config import env
from core.page_cache import purge_all

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """What stops a backup or a restore, in words an operator can act on."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _safe_key(key: str) -> PurePosixPath:
    """A storage name as a relative path that stays inside the media folder."""
    path = PurePosixPath(key)
    if not key or key.endswith("/") or path.is_absolute() or ".." in path.parts or "\\" in key:
        raise BackupError(f"refusing a file name that would leave the media folder: {key!r}")
    return path


# --- the database -------------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def _pg_env() -> dict:
    """libpq's environment for pg_dump/pg_restore: the password never appears in `ps`."""
    db = connection.settings_dict
    values = {
        "PGDATABASE": db["NAME"],
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": str(db.get("PORT") or ""),
    }
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        values[f"PG{option.upper()}"] = db.get("OPTIONS", {}).get(option)
    return os.environ | {name: value for name, value in values.items() if value}


def _pg_tool_major(tool: str) -> int:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is missing: install PostgreSQL's client tools (apt-get install postgresql-client)")
    # PostgreSQL's client tools from PATH, with arguments of our own making.
    version = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return int(re.search(r"(\d+)(?:\.\d+)?", version).group(1))


def _table_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (introspected names)
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(folder: Path) -> dict:
    connection.ensure_connection()  # connected (and set up) before the snapshot's transaction begins
    dump_major, server_major = _pg_tool_major("pg_dump"), connection.pg_version // 10000
    if dump_major < server_major:
        raise BackupError(
            f"pg_dump {dump_major} cannot dump a PostgreSQL {server_major} server: install the "
            f"PostgreSQL {server_major} client tools (postgresql-client-{server_major})"
        )
    target = folder / "db.dump"
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the dump and the counts: pg_dump reads exactly what is counted here.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        result = subprocess.run(  # noqa: S603
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],  # noqa: S607
            env=_pg_env(),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        counts = _table_counts(cursor, connection.introspection.table_names(cursor))
    return {"engine": "postgresql", "server_major": server_major, "pg_dump_major": dump_major, "tables": counts}


def _dump_sqlite(folder: Path) -> dict:
    if connection.settings_dict["NAME"] in ("", ":memory:") or "mode=memory" in str(connection.settings_dict["NAME"]):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    target = folder / "db.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # a consistent copy, even while the site writes
        tables = [
            row[0]
            for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        counts = {table: copy.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}  # noqa: S608
    finally:
        copy.close()
    return {"engine": "sqlite", "tables": counts}


def _database_tables() -> list[str]:
    """Every table or other relation of the target database (empty: nothing there)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c"
                " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
                " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            )
            return [row[0] for row in cursor.fetchall()]
        return connection.introspection.table_names(cursor)


def _restore_postgresql(dump: Path, manifest: dict, *, force: bool) -> None:
    restore_major = _pg_tool_major("pg_restore")
    if restore_major < manifest["database"]["pg_dump_major"]:
        raise BackupError(
            f"pg_restore {restore_major} cannot read a dump made by pg_dump "
            f"{manifest['database']['pg_dump_major']}: install newer PostgreSQL client tools"
        )
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if force:
        command += ["--clean", "--if-exists"]
    connection.close()  # nothing of ours holds the database while pg_restore works
    result = subprocess.run(  # noqa: S603 (pg_restore, arguments of our own making)
        [*command, f"--dbname={connection.settings_dict['NAME']}", str(dump)],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored (one transaction): {result.stderr.strip()}")


def _restore_sqlite(dump: Path, *, force: bool) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.NamedTemporaryFile(dir=target.parent, prefix=".restore-", delete=False) as partial,
        dump.open("rb") as source,
    ):
        shutil.copyfileobj(source, partial, CHUNK)
    if force:  # a journal left by the replaced database must not be applied to the restored one
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(partial.name, target)


def _restored_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _table_counts(cursor, connection.introspection.table_names(cursor))


# --- the files ----------------------------------------------------------------------------


class BucketFiles:
    """Every object of the default storage's bucket, through the storage's own boto3 client
    (its endpoint, keys, timeouts and retries)."""

    def __init__(self, storage: S3Storage):
        self.client = storage.connection.meta.client
        self.bucket = storage.bucket_name
        self.where = f"bucket {self.bucket}"

    def listing(self) -> Iterator[tuple[str, int]]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"], item["Size"]

    def is_empty(self) -> bool:
        return self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1).get("KeyCount", 0) == 0

    def download(self, key: str, target: Path) -> dict:
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        with target.open("wb") as file:
            for block in answer["Body"].iter_chunks(CHUNK):
                file.write(block)
        return {"content_type": answer.get("ContentType", ""), "content_encoding": answer.get("ContentEncoding", "")}

    def upload(self, key: str, source: Path, item: dict) -> None:
        extra = {"ContentType": item.get("content_type") or "application/octet-stream"}
        if item.get("content_encoding"):
            extra["ContentEncoding"] = item["content_encoding"]
        self.client.upload_file(str(source), self.bucket, key, ExtraArgs=extra)

    def policy(self) -> str | None:
        try:
            return self.client.get_bucket_policy(Bucket=self.bucket)["Policy"]
        except ClientError:
            return None  # no policy (NoSuchBucketPolicy), or not allowed to read it


class FolderFiles:
    """Every file under MEDIA_ROOT (the local disk of `make run`)."""

    def __init__(self, storage: FileSystemStorage):
        self.root = Path(storage.location)
        self.where = f"media folder {self.root}"

    def listing(self) -> Iterator[tuple[str, int]]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.root).as_posix(), path.stat().st_size

    def is_empty(self) -> bool:
        return next(self.listing(), None) is None

    def download(self, key: str, target: Path) -> dict:
        shutil.copyfile(self.root / key, target)
        return {"content_type": "", "content_encoding": ""}

    def upload(self, key: str, source: Path, item: dict) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def policy(self) -> None:
        return None


def _files():
    storage = storages["default"]
    if isinstance(storage, S3Storage):
        return BucketFiles(storage)
    if isinstance(storage, FileSystemStorage):
        return FolderFiles(storage)
    raise BackupError(f"cannot back up files kept by {type(storage).__name__}")


# --- backup and restore -------------------------------------------------------------------


def backup_create(*, output: Path | None = None, say=print) -> Path:
    """Write a whole backup folder (see the module docstring) and return its path. Reads only:
    the database and the storage are not changed."""
    vendor = _vendor()
    files = _files()
    created = datetime.now(UTC)
    final = Path(output) if output else env.VAR_DIR / "backups" / created.strftime("%Y%m%dT%H%M%SZ")
    if final.exists():
        raise BackupError(f"{final} already exists")
    partial = final.with_name(final.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True, mode=0o700)
    try:
        database = _dump_postgresql(partial) if vendor == "postgresql" else _dump_sqlite(partial)
        database_file = partial / ("db.dump" if vendor == "postgresql" else "db.sqlite3")
        database |= {"file": database_file.name, "size": database_file.stat().st_size, "sha256": _sha256(database_file)}
        say(f"database: {len(database['tables'])} tables, {sum(database['tables'].values())} rows")
        items = []
        for key, _size in files.listing():
            target = partial / MEDIA / _safe_key(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            details = files.download(key, target)
            items.append({"key": key, "size": target.stat().st_size, "sha256": _sha256(target), **details})
        say(f"files: {len(items)} from {files.where}, {sum(item['size'] for item in items)} bytes")
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "database": database,
            "files": {
                "source": files.where,
                "count": len(items),
                "bytes": sum(item["size"] for item in items),
                "bucket_policy": files.policy(),
                "items": items,
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _manifest_checked(source: Path) -> dict:
    """The backup's manifest, once every file in it matches its checksum."""
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} is not a complete backup: no {MANIFEST}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (this code reads {FORMAT})")
    database = manifest["database"]
    if database["engine"] != connection.vendor:
        raise BackupError(f"the backup is of a {database['engine']} database; this site uses {connection.vendor}")
    checks = [(source / database["file"], database)]
    checks += [(source / MEDIA / _safe_key(item["key"]), item) for item in manifest["files"]["items"]]
    for path, expected in checks:
        if not path.is_file() or _sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} is missing or does not match its checksum: the backup is damaged")
    return manifest


def backup_restore(*, source: Path, force: bool = False, say=print) -> dict:
    """Restore the backup folder `source` into this site's database and file storage. Refuses
    (before writing anything) a damaged backup, and a database or storage that is not empty
    unless `force`. Returns what was restored: {"tables", "rows", "files"}."""
    _vendor()
    source = Path(source)
    manifest = _manifest_checked(source)
    files = _files()
    if not force:
        tables = _database_tables()
        if tables:
            raise BackupError(
                f"the database {connection.settings_dict['NAME']} is not empty ({len(tables)} tables): restore into a "
                "new, empty database, or pass --force to replace what the backup holds"
            )
        if not files.is_empty():
            raise BackupError(
                f"the {files.where} is not empty: restore into an empty one, or pass --force to replace "
                "files of the same names"
            )
    database = manifest["database"]
    if database["engine"] == "postgresql":
        _restore_postgresql(source / database["file"], manifest, force=force)
    else:
        _restore_sqlite(source / database["file"], force=force)
    say(f"database: restored from {database['file']}")
    for item in manifest["files"]["items"]:
        files.upload(item["key"], source / MEDIA / _safe_key(item["key"]), item)
    say(f"files: {manifest['files']['count']} uploaded to {files.where}")

    counts = _restored_counts()
    differing = sorted(table for table, rows in database["tables"].items() if counts.get(table) != rows)
    if differing:
        raise BackupError(f"restored row counts differ from the backup's in: {', '.join(differing[:10])}")
    stored = dict(files.listing())
    missing = [item["key"] for item in manifest["files"]["items"] if stored.get(item["key"]) != item["size"]]
    if missing:
        raise BackupError(f"{len(missing)} files are not in the {files.where} after the upload")
    if manifest["files"]["bucket_policy"] and isinstance(files, BucketFiles) and files.policy() is None:
        say(
            "warning: the backed-up bucket had a policy (public image renditions) and this one has none: "
            "set it (README, Deploying at scale), or pictures will not show"
        )
    # Everything cached (pages, totals) was derived from what the database held before.
    cache.clear()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        say("note: this code has migrations the backup predates: run `manage.py migrate` now")
    else:
        purge_all()  # also counted in the database, for processes that missed the clear (cache away)
    return {"tables": len(counts), "rows": sum(counts.values()), "files": len(stored)}
