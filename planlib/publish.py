"""Putting a finished pack in place so that a kill at any instant leaves the old or the new one whole.

One run per plan and period at a time (a lock the OS releases when its holder dies); the
swap is two renames sharing a token, and the next run completes a swap cut between them
(the new pack is whole) or rolls it back, then removes what dead runs left behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Callable, Iterator

import filelock

from planlib.errors import PackError

MANIFEST = "manifest.json"
_TOKEN = re.compile(r"[0-9a-f]{8}")


def staging_dir(final: Path, token: str) -> Path:
    """The folder a run writes its pack into, beside the final one."""
    return final.parent / f".staging-{final.name}-{token}"


def replaced_dir(final: Path, token: str) -> Path:
    """Where the old pack waits during the swap (same token as its staging folder)."""
    return final.parent / f".replaced-{final.name}-{token}"


def new_token() -> str:
    """Eight hex digits naming one run's staging and replaced folders."""
    return uuid.uuid4().hex[:8]


@contextlib.contextmanager
def pack_lock(lock_file: Path, *, label: str, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the lock of one plan and period; a second run refuses (or waits) with one line.

    The lock is an OS file lock (flock): a killed holder releases it, so no stale lock remains.
    The lock file lives apart from the packs (``reports/.locks/``) so a plan folder lists packs only.
    """
    owner_file = lock_file.with_name(lock_file.name + ".owner")
    lock = filelock.FileLock(lock_file, timeout=wait_seconds)
    try:
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except filelock.Timeout:
        raise PackError(
            f"another run is writing {label} ({_owner(owner_file)}); wait for it to finish or stop it"
        ) from None
    except OSError as err:  # a read-only or missing reports folder is the user's to fix
        raise PackError(f"cannot write {label}: {err.strerror} ({lock_file.parent})") from None
    try:
        owner_file.write_text(f"pid {os.getpid()}, started {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}\n")
        yield
    finally:
        owner_file.unlink(missing_ok=True)
        lock.release()


def _owner(owner_file: Path) -> str:
    try:
        return owner_file.read_text().strip() or "pid unknown"
    except OSError:
        return "pid unknown"


def is_whole(folder: Path) -> bool:
    """Whether ``folder`` is a finished pack: its manifest (written last) reads as complete."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("status") == "complete"
    except (OSError, ValueError):
        return False


def recover(final: Path) -> list[str]:
    """Finish or undo a swap a dead run left half done, and remove dead runs' folders.

    Call with the lock held. Returns one line per thing done (for the progress output).
    """
    parent = final.parent
    if not parent.is_dir():
        return []
    done: list[str] = []
    if not final.exists():
        for old in sorted(_leftovers(final, "replaced"), key=lambda p: p.stat().st_mtime, reverse=True):
            token = old.name.rsplit("-", 1)[-1]
            new = staging_dir(final, token)
            if is_whole(new):
                os.rename(new, final)
                done.append(f"completed the swap a stopped run left half done: {final.name} is its new pack")
            else:
                os.rename(old, final)
                done.append(f"rolled back a swap a stopped run left half done: {final.name} is the previous pack")
            _sync_dir(parent)
            break
    leftovers = [*_leftovers(final, "staging"), *_leftovers(final, "replaced")]
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)
    if leftovers:
        done.append(f"removed {len(leftovers)} folder(s) left by stopped runs")
    return done


def recover_other_periods(final: Path, locks: Path, plan_name: str, *, echo: Callable[[str], None]) -> None:
    """``recover`` every other period of the plan that dead runs left folders for, unless a live run holds it."""
    periods = set()
    for folder in final.parent.glob(".*-*"):
        kind, _, rest = folder.name[1:].partition("-")
        period, _, token = rest.rpartition("-")
        if kind in ("staging", "replaced") and period and period != final.name and _TOKEN.fullmatch(token):
            periods.add(period)
    for period in sorted(periods):
        try:
            with pack_lock(locks / f"{plan_name}-{period}.lock", label=period):
                for line in recover(final.parent / period):
                    echo(f"{period}: {line}")
        except PackError:  # a live run of that period: its folders are not left behind
            continue


def _leftovers(final: Path, kind: str) -> list[Path]:
    """``.staging-`` or ``.replaced-`` folders of this period only (``2025-Q1``'s are not ``2025``'s)."""
    prefix = f".{kind}-{final.name}-"
    return [
        p for p in final.parent.glob(f"{prefix}*") if _TOKEN.fullmatch(p.name[len(prefix):]) and p.is_dir()
    ]


def publish(staging: Path, final: Path, *, token: str) -> None:
    """Swap the whole pack in ``staging`` into ``final`` (renames only; ``recover`` mends a cut swap)."""
    old = None
    if final.exists():
        old = replaced_dir(final, token)
        os.rename(final, old)
    os.rename(staging, final)
    _sync_dir(final.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)  # a leftover is removed by the next run's recover()


def _sync_dir(folder: Path) -> None:
    """Flush a folder's entries (the renames) to disk, where the OS allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
