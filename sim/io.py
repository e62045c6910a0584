"""Atomic file output: a crash never leaves a half-written result file.

Each file is written to a temporary file beside it, ``.<name>.tmp-<random><suffix>``, and renamed
into place. An error removes the temporary file; a process killed outright (an out-of-memory kill)
cannot, so :func:`remove_temp_files` clears what such a process left behind.

:class:`RunDirState` keeps what a run directory held before a command wrote into it, so that a
refused run can leave it as it was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: between a file's name and the random part of its temporary file's name
TEMP_MARK = ".tmp-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it into place.

    The rename is atomic on POSIX file systems, so readers see the old file or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TEMP_MARK}", suffix=path.suffix,
                               dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)

    return atomic_write(path, write)


def atomic_write_json(path: str | Path, data: dict) -> Path:
    """Write ``data`` as indented JSON (keys in insertion order) atomically."""
    return atomic_write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n")


def is_temp_file(path: str | Path) -> bool:
    """Whether ``path`` is named like one of :func:`atomic_write`'s temporary files."""
    name = Path(path).name
    return name.startswith(".") and TEMP_MARK in name


def remove_temp_files(directory: str | Path) -> list[Path]:
    """Remove the temporary files that an interrupted :func:`atomic_write` left in
    ``directory`` (not in its sub-directories); returns the files removed."""
    removed = []
    directory = Path(directory)
    if not directory.is_dir():
        return removed
    for path in directory.iterdir():
        if path.is_file() and is_temp_file(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@dataclass
class RunDirState:
    """What a run directory held before Hydra wrote into it: its ``.hydra/`` files and the
    sizes of its top-level files (None: the directory did not exist; ``created`` is then the
    top-most directory the run creates)."""

    path: Path
    created: Path | None = None
    hydra_files: dict[str, bytes] = field(default_factory=dict)
    sizes: dict[str, int] | None = None

    @classmethod
    def capture(cls, path: Path) -> RunDirState:
        """The state of ``path`` now."""
        path = path.resolve()
        if not path.exists():
            created = path
            while not created.parent.exists():
                created = created.parent
            return cls(path, created=created)
        hydra_dir = path / ".hydra"
        files = ({p.name: p.read_bytes() for p in hydra_dir.iterdir() if p.is_file()}
                 if hydra_dir.is_dir() else {})
        sizes = {p.name: p.stat().st_size for p in path.iterdir() if p.is_file()}
        return cls(path, hydra_files=files, sizes=sizes)

    def restore(self) -> None:
        """Remove what a refused run added: the whole directory if the run created it, else
        the log lines and the ``.hydra/`` files Hydra wrote (their old contents put back)."""
        _close_log_files(self.path)
        if self.sizes is None:
            shutil.rmtree(self.path, ignore_errors=True)
            parent = self.path.parent
            while self.created is not None and parent.is_relative_to(self.created):
                try:
                    parent.rmdir()  # only if empty: another run may have started beside it
                except OSError:
                    break
                parent = parent.parent
            return
        hydra_dir = self.path / ".hydra"
        if hydra_dir.is_dir():
            for path in hydra_dir.iterdir():
                if path.name in self.hydra_files:
                    path.write_bytes(self.hydra_files[path.name])
                elif path.is_file():
                    path.unlink()
            if not self.hydra_files and not any(hydra_dir.iterdir()):
                hydra_dir.rmdir()
        for path in self.path.iterdir():
            if path.is_file() and path.suffix == ".log":
                size = self.sizes.get(path.name)
                if size is None:
                    path.unlink()
                elif path.stat().st_size > size:
                    os.truncate(path, size)


def _close_log_files(directory: Path) -> None:
    """Close the logging file handlers writing into ``directory`` (Hydra's ``<job>.log``)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name)
                                      for name in logging.root.manager.loggerDict)]
    for logger in loggers:
        for handler in list(getattr(logger, "handlers", [])):
            target = getattr(handler, "baseFilename", None)
            if target and Path(target).resolve().is_relative_to(directory):
                handler.close()
                logger.removeHandler(handler)
