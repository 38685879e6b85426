"""One atomic publish for every versioned folder: snapshots, their caches, the screening
index (yente's index alias swap is the model).

A publish writes a new *version* into a private work folder, then makes it current in
one atomic step::

    parent/
      NAME -> .NAME.versions/V-TOKEN        the pointer: a symlink, replaced by rename(2)
      .NAME.versions/
        V-TOKEN/                            a sealed version: complete, fsync'd,
          CHECKSUMS.json                    every file's SHA-256
        .lock                               held while switching and cleaning
      .ringfence-work-PID-RANDOM/           work in progress (the writer's pid in the name)

The steps, each reported to ``hook`` (tests kill the process at every one of them):

1. ``written``: the caller has written the version's files into :attr:`Publication.work`;
2. ``synced``: every file is fsync'd;
3. ``checksummed``: ``CHECKSUMS.json`` is written and fsync'd, and the folder too;
4. ``sealed``: the work folder is renamed into ``.NAME.versions/`` (rename 1);
5. ``linked``: a new symlink to it is made beside the pointer;
6. ``switched``: that symlink is renamed over the pointer (rename 2, the atomic step);
7. ``cleaned``: versions older than the last ``keep`` ones are removed, never the current.

A crash before step 6 leaves the previous version current (and debris that is never
read); a crash after it leaves the new one current. Stale-work cleanup removes only
``.ringfence-work-*`` folders whose writer is dead, so it can never remove a sealed
version, let alone the current one; old versions are removed only after the switch,
under the lock, and only when they are not current.

Readers follow the pointer once (:func:`current`) and read the version folder it names,
which never changes; a version is removed two publishes later (``keep=1``), so a reader
that outlives that fails closed (the snapshot reader checks its manifest again).

A target that is still a plain folder (written before versions existed) is moved into
the versions folder and then linked: two renames, once. A crash between them leaves no
pointer; the next publish (or :func:`recover`) points it at the newest sealed version.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType

from ringfence.exc import ConflictError, IntegrityError

__all__ = ["CHECKSUMS", "STEPS", "WORK_PREFIX", "Publication", "clean_stale", "current",
           "kept_versions", "publish_folder", "recover", "verify_version"]

WORK_PREFIX = ".ringfence-work-"
CHECKSUMS = "CHECKSUMS.json"
STEPS = ("written", "synced", "checksummed", "sealed", "linked", "switched", "cleaned")

Hook = Callable[[str], None]


def _versions_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.versions"


def current(target: str | Path) -> Path:
    """The folder ``target`` points at now (``target`` itself when it is a plain folder:
    written before versions existed, or by hand)."""
    path = Path(target)
    return path.resolve() if path.is_symlink() else path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(4 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path, skip: tuple[str, ...] = ()) -> Iterator[Path]:
    """Every file under ``root`` (symlinks not followed), but for the top-level folders
    named in ``skip``."""
    for dirpath, dirs, names in os.walk(root):
        if Path(dirpath) == root:
            dirs[:] = [d for d in dirs if d not in skip]
        for name in sorted(names):
            yield Path(dirpath) / name


def _pid_of(work: Path) -> int | None:
    rest = work.name.removeprefix(WORK_PREFIX)
    head = rest.split("-", 1)[0]
    if head.isdigit():
        return int(head)
    try:  # folders written before the pid was part of the name kept it in a file
        return int((work / ".pid").read_text())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(parent: Path) -> None:
    """Remove the work folders in ``parent`` whose writer is no longer running. Sealed
    versions and pointers are never touched: they are not named ``.ringfence-work-*``."""
    if not parent.is_dir():
        return
    for work in parent.glob(f"{WORK_PREFIX}*"):
        pid = _pid_of(work)
        if pid is not None and pid != os.getpid() and _alive(pid):
            continue
        if pid == os.getpid():
            continue  # our own work in progress
        if work.is_symlink() or not work.is_dir():  # a new pointer never renamed in
            work.unlink(missing_ok=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


def verify_version(folder: Path, *, derived: tuple[str, ...] = ()) -> None:
    """Check every file of a sealed version against its ``CHECKSUMS.json``; raise
    :class:`~ringfence.exc.IntegrityError` naming the first that differs. ``derived``:
    top-level folders published on their own (a snapshot's ``cache``), not listed."""
    try:
        sums = json.loads((folder / CHECKSUMS).read_text())
    except (OSError, ValueError) as err:
        raise IntegrityError(f"{folder}: no readable {CHECKSUMS} ({err})") from None
    listed = set(sums)
    present = {str(p.relative_to(folder)) for p in _files(folder, derived)} - {CHECKSUMS}
    if listed != present:
        odd = sorted(listed ^ present)[0]
        raise IntegrityError(f"{folder}: {odd} is {'missing' if odd in listed else 'extra'}")
    for rel, want in sums.items():
        if _sha256(folder / rel) != want:
            raise IntegrityError(f"{folder}: {rel} differs from its checksum")


def _write_checksums(folder: Path, derived: tuple[str, ...] = ()) -> None:
    sums = {str(p.relative_to(folder)): _sha256(p) for p in _files(folder, derived)
            if p.name != CHECKSUMS or p.parent != folder}
    (folder / CHECKSUMS).write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n")
    with (folder / CHECKSUMS).open("rb") as fh:
        os.fsync(fh.fileno())
    _fsync(folder)


class _Lock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _sealed(versions: Path) -> list[Path]:
    """Sealed versions, oldest first."""
    if not versions.is_dir():
        return []
    found = [p for p in versions.iterdir()
             if p.is_dir() and not p.name.startswith(".") and (p / CHECKSUMS).exists()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def kept_versions(target: str | Path) -> list[Path]:
    """The sealed versions of ``target`` still kept (the current one among them), newest
    first; none for a plain folder."""
    return _sealed(_versions_dir(Path(target)))[::-1]


def recover(target: Path, *, exclude: Path | None = None) -> None:
    """Point a missing ``target`` at its newest sealed version (after a crash while a
    plain folder was being converted), ``exclude`` aside (a version not yet switched in).
    Call with the lock held, or let :meth:`Publication.commit` do it."""
    if target.exists() or target.is_symlink():
        return
    sealed = [p for p in _sealed(_versions_dir(target)) if p != exclude]
    if sealed:
        _link(target, sealed[-1], lambda step: None)


def _link(target: Path, version: Path, hook: Hook) -> None:
    tmp = target.parent / f"{WORK_PREFIX}{os.getpid()}-{secrets.token_hex(4)}.link"
    os.symlink(os.path.relpath(version, target.parent), tmp)
    hook("linked")
    os.replace(tmp, target)
    _fsync(target.parent)
    hook("switched")


class Publication:
    """Write one new version of ``target`` and make it current atomically.

    ::

        with Publication(target) as pub:
            write_files(pub.work)
            pub.commit("v1")          # sealed, switched, old versions cleaned

    Leaving the block without :meth:`commit` (an exception) removes the work folder and
    changes nothing. ``replace=False`` refuses to replace an existing target
    (:class:`~ringfence.exc.ConflictError`). ``keep`` (at least 1): how many earlier
    versions stay besides the current one, the one it replaced first (readers still on
    them finish their reads). ``derived``: top-level folders of the version that are
    published on their own later (a snapshot's ``cache``), left out of its checksums.
    """

    def __init__(self, target: str | Path, *, replace: bool = True, keep: int = 1,
                 hook: Hook | None = None, derived: tuple[str, ...] = ()) -> None:
        self.target = Path(target)
        self.replace = replace
        self.keep = keep
        self.derived = derived
        self.hook: Hook = hook or (lambda step: None)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(self.target.parent)
        if not replace and self._exists():
            raise ConflictError(f"{self.target} exists; not replaced")
        self.work = self.target.parent / f"{WORK_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        self.work.mkdir()
        self.committed: Path | None = None

    def _exists(self) -> bool:
        return self.target.exists() or self.target.is_symlink()

    def commit(self, version: str, *, checksums: Mapping[str, str] | None = None) -> Path:
        """Seal the work folder as ``version`` and make it current; returns the sealed
        folder. ``checksums``: SHA-256 of files the caller already hashed (by path
        relative to the work folder), not read again."""
        hook = self.hook
        hook("written")
        known = dict(checksums or {})
        sums: dict[str, str] = {}
        for path in _files(self.work):
            with path.open("rb") as fh:
                os.fsync(fh.fileno())
        for path in _files(self.work, self.derived):
            rel = str(path.relative_to(self.work))
            sums[rel] = known.get(rel) or _sha256(path)
        hook("synced")
        (self.work / CHECKSUMS).write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n")
        with (self.work / CHECKSUMS).open("rb") as fh:
            os.fsync(fh.fileno())
        for dirpath, _dirs, _names in os.walk(self.work):
            _fsync(Path(dirpath))
        hook("checksummed")
        versions = _versions_dir(self.target)
        versions.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in version)[:64]
        sealed = versions / f"{safe or 'v'}-{secrets.token_hex(4)}"
        os.replace(self.work, sealed)
        _fsync(versions)
        hook("sealed")
        with _Lock(versions / ".lock"):
            recover(self.target, exclude=sealed)
            if not sealed.exists():
                raise ConflictError(f"{self.target}: a concurrent publish removed this "
                                    "version before it could be switched in")
            if not self.replace and self._exists():
                shutil.rmtree(sealed, ignore_errors=True)
                raise ConflictError(f"{self.target} appeared while writing; not replaced")
            if self.target.is_dir() and not self.target.is_symlink():
                # a plain folder from before versions: sealed where it stands, moved in,
                # then replaced by the link (a crash between the two is repaired by
                # recover, which points at it again: the newest sealed version)
                _write_checksums(self.target, self.derived)
                legacy = versions / f"legacy-{secrets.token_hex(4)}"
                os.replace(self.target, legacy)
                _fsync(versions)
            previous = current(self.target) if self.target.is_symlink() else None
            _link(self.target, sealed, hook)
            self._clean(versions, sealed, previous)
        hook("cleaned")
        self.committed = sealed
        return sealed

    def _clean(self, versions: Path, now: Path, previous: Path | None) -> None:
        """Remove the versions sealed before ``now`` except the one it replaced (the
        last ``keep`` of them); a version sealed after ``now`` belongs to a publish
        still waiting for the lock and is left alone."""
        sealed = _sealed(versions)
        cutoff = now.stat().st_mtime_ns
        now_real = now.resolve()
        prev_real = previous.resolve() if previous is not None else None
        older = [p for p in sealed
                 if p.resolve() != now_real and p.stat().st_mtime_ns <= cutoff]
        spare = [p for p in older if p.resolve() != prev_real][::-1]  # newest first
        keep = self.keep - (1 if previous is not None else 0)
        for old in spare[max(0, keep):]:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> Publication:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.committed is None:
            self.abort()


def publish_folder(target: str | Path, fill: Callable[[Path], None], *, version: str = "v",
                   keep: int = 1) -> Path:
    """Write a version of ``target`` with ``fill(work_folder)`` and make it current."""
    with Publication(target, keep=keep) as pub:
        fill(pub.work)
        return pub.commit(version)

