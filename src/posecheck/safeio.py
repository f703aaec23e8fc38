"""Writing output files without losing or overwriting anything by accident.

Every output is written under a unique temporary name in its final folder
(created with ``O_CREAT | O_EXCL``: never through a link someone left there)
and renamed over the final name only when complete. ``os.replace`` swaps the
directory entry, so a symlink or a hard link at the final name is replaced,
not written through: a hard-linked input keeps its content. A failed or
abandoned write removes its temporary file and leaves the final name as it was.

A write error becomes one line naming the folder and, for a full disk, how much
was needed::

    no space left on /mnt/out: annotated.mp4 needed more than 1.9 MB (0.0 MB free)

Pure standard library: the sinks, ``score``, ``render`` and the live session use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from posecheck.errors import PosecheckError


class OutputWriteError(PosecheckError):
    """An output file could not be written (full disk, no permission, I/O error).

    ``no_space``: the disk (or quota) was full; the other outputs of the run then fail
    the same way, and only the first is worth a line.
    """

    no_space = False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True if ``a`` and ``b`` are the same file (device and inode: hard links too)."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def write_error(
    path: Path, exc: BaseException, written: int = 0, needed: int | None = None
) -> OutputWriteError:
    """The one-line error for a failed write of ``path``: ``written`` bytes got through,
    ``needed`` is the whole size when it is known."""
    folder = path.parent
    err = getattr(exc, "errno", None)
    if err in (errno.ENOSPC, errno.EDQUOT):
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            free = 0
        size = _size(needed) if needed is not None else f"more than {_size(written)}"
        out = OutputWriteError(
            f"no space left on {folder}: {path.name} needed {size} ({_size(free)} free)",
            "free some space or choose another folder with -o",
        )
        out.no_space = True
        return out
    reason = getattr(exc, "strerror", None) or str(exc)
    return OutputWriteError(
        f"cannot write {path}: {reason}", "check the folder's permissions and free space"
    )


def temp_path(path: Path, suffix: str = ".tmp") -> Path:
    """Create an empty private temporary file next to ``path`` (exclusive) and return its name.

    ``suffix`` lets writers that choose a format by extension (video encoders) see one.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(tmp)


# what :func:`temp_path` puts after ``.NAME.``: mkstemp's 8 characters and a suffix
_TEMP_TAIL = r"[A-Za-z0-9_]{8}(\.tmp|\.[A-Za-z0-9]{1,4})"


def drop_stale_temps(path: Path) -> list[Path]:
    """Remove temporary files of ``path`` that a killed run (SIGKILL, power loss) left;
    returns them. Only names :func:`temp_path` makes: ``.NAME.`` + 8 characters + suffix."""
    pattern = re.compile(re.escape(f".{path.name}.") + _TEMP_TAIL)
    gone = []
    with contextlib.suppress(OSError):
        for f in path.parent.iterdir():
            if pattern.fullmatch(f.name) and f.is_file() and not f.is_symlink():
                discard(f)
                gone.append(f)
    return gone


def drop_stale_temps_in(folder: Path) -> list[Path]:
    """:func:`drop_stale_temps` for every output of ``folder`` a killed run left a
    temporary file of (a live session killed outright left only ``.frames.csv.*.tmp``,
    and its folder then read as "not empty")."""
    gone: list[Path] = []
    with contextlib.suppress(OSError):
        for f in list(folder.iterdir()):
            m = re.fullmatch(r"\.(.+)\." + _TEMP_TAIL, f.name)
            if m is not None:
                gone += drop_stale_temps(folder / m.group(1))
    return gone


def own_export(path: str | os.PathLike[str], columns: Sequence[str] = (), key: str = "") -> bool:
    """Whether an existing file is a table posecheck wrote and may write again: a CSV
    whose header is ``columns[0]`` then some of ``columns`` (an older version's table
    too), or (``key``) a JSON list of rows with that key. Anything else (a video, a
    summary.json, the person's own file) is not replaced without --force: ``score --json
    clip.mp4`` turned a video into 435 bytes of JSON."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        return False
    if not head.strip():
        return True  # an empty file: nothing to lose
    if columns:
        fields = head.decode("utf-8", "replace").splitlines()[:1]
        names = fields[0].strip().split(",") if fields else []
        return bool(names) and names[0] == columns[0] and set(names) <= set(columns)
    if not head.lstrip().startswith(b"["):
        return False
    try:
        import json

        rows = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(rows, list) and (not rows or (isinstance(rows[0], dict) and key in rows[0]))


def commit(tmp: Path, path: Path, mode: int | None = None) -> None:
    """Give ``tmp`` the usual file mode (umask, or ``mode``) and rename it to ``path``."""
    try:
        os.chmod(tmp, (0o666 & ~_umask()) if mode is None else mode)
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise write_error(path, exc) from None


def discard(tmp: Path | None) -> None:
    """Remove a temporary file (it may already be gone)."""
    if tmp is not None:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


class AtomicFile:
    """A file written under a temporary name, renamed to ``path`` by :meth:`commit`.

    ::

        f = AtomicFile(out / "frames.csv", "w", newline="")
        f.fh.write(...)      # streamed
        f.commit()           # or f.abort(): the final name is never touched
    """

    def __init__(
        self, path: str | os.PathLike[str], mode: str = "w", *, file_mode: int | None = None,
        **open_kw: Any,
    ) -> None:  # fmt: skip
        self.path = Path(path)
        self.file_mode = file_mode
        if "b" not in mode:
            open_kw.setdefault("encoding", "utf-8")
        try:
            self.tmp: Path | None = temp_path(self.path)
            self.fh: IO[Any] = open(self.tmp, mode, **open_kw)  # noqa: SIM115
        except OSError as exc:
            raise write_error(self.path, exc) from None

    def write(self, data: Any) -> None:
        """Write to the temporary file; a failure removes it and raises a one-line error."""
        try:
            self.fh.write(data)
        except OSError as exc:
            raise self._fail(exc) from None

    def _fail(self, exc: OSError, needed: int | None = None) -> OutputWriteError:
        written = self.size()
        self.abort()
        return write_error(self.path, exc, written, needed)

    def size(self) -> int:
        try:
            return os.path.getsize(self.tmp) if self.tmp else 0
        except OSError:
            return 0

    def commit(self) -> Path:
        """Flush, close and rename over the final name."""
        if self.tmp is None:
            return self.path
        try:
            self.fh.flush()
            os.fsync(self.fh.fileno())
            self.fh.close()
        except OSError as exc:
            raise self._fail(exc) from None
        tmp, self.tmp = self.tmp, None
        commit(tmp, self.path, self.file_mode)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file; the final name is left as it was."""
        with contextlib.suppress(OSError):
            self.fh.close()
        discard(self.tmp)
        self.tmp = None

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", needed: int | None = None, **kw: Any
) -> Iterator[IO[Any]]:
    """``with atomic_open(p) as fh:``: written whole and renamed, or not at all.
    ``needed``: the size to be written, if known (for the full-disk message)."""
    f = AtomicFile(path, mode, **kw)
    try:
        yield f.fh
    except OSError as exc:
        raise f._fail(exc, needed) from None
    except BaseException:
        f.abort()
        raise
    f.commit()


def write_text(path: str | os.PathLike[str], text: str, *, file_mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    data = text.encode("utf-8")
    with atomic_open(path, "wb", needed=len(data), file_mode=file_mode) as fh:
        fh.write(data)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, file_mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", needed=len(data), file_mode=file_mode) as fh:
        fh.write(data)
    return Path(path)
