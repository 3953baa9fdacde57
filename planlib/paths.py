"""Where things live: every path is derived from the project root, found here.

The root comes from an explicit argument, the ``PLANLIB_ROOT`` environment variable,
or the nearest folder at or above the working directory holding ``notebooks/`` and
``params/``; never from ``__file__`` (that breaks once planlib is installed as a wheel).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from planlib.errors import PlanlibError

ROOT_ENV_VAR = "PLANLIB_ROOT"
MAX_NAME_CHARS = 100
MAX_NAME_BYTES = 150  # a folder name is at most 255 bytes; room for the pack's staging suffixes
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def find_project_root(start: str | os.PathLike[str] | None = None) -> Path:
    """Return the project root (the folder holding ``notebooks/`` and ``params/``).

    Parameters
    ----------
    start : path, optional
        An explicit root, or a folder to search upwards from. Defaults to
        ``$PLANLIB_ROOT``, else the working directory.
    """
    if start is None and os.environ.get(ROOT_ENV_VAR):
        return Path(os.environ[ROOT_ENV_VAR]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "params").is_dir():
            return folder
    raise PlanlibError(
        f"no planlib project root at or above {here}: expected a folder holding "
        f"notebooks/ and params/ (or set {ROOT_ENV_VAR})"
    )


def resolve(path: str | os.PathLike[str], root: Path) -> Path:
    """Resolve ``path`` against the project root unless it is already absolute."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (root / p).resolve()


def notebooks_dir(root: Path) -> Path:
    return root / "notebooks"


def params_dir(root: Path) -> Path:
    return root / "params"


def reports_dir(root: Path) -> Path:
    return root / "reports"


def safe_folder_name(name: str) -> str:
    """``name`` in NFC form if it is safe as a folder name on Linux, macOS and Windows.

    Letters and digits of any script (``超市计划``, ``Überplan``), marks, ``_`` and
    ``-``; no separators, dots, spaces or control characters, no reserved Windows
    device name, at most 100 characters and 150 bytes. Raises ``PlanlibError``.
    """
    text = unicodedata.normalize("NFC", str(name))
    bad = [c for c in text if not (unicodedata.category(c)[0] in "LMN" or c in "_-")]
    problem = ""
    if not text:
        problem = "it is empty"
    elif bad:
        problem = f"{bad[0]!r} is not allowed"
    elif len(text) > MAX_NAME_CHARS or len(text.encode("utf-8")) > MAX_NAME_BYTES:
        problem = f"it is longer than {MAX_NAME_CHARS} characters or {MAX_NAME_BYTES} bytes"
    elif text.split(".")[0].upper() in _RESERVED:
        problem = "it is a reserved device name on Windows"
    if problem:
        raise PlanlibError(
            f"plan must be a name that is safe as a folder: letters or digits of any script, '_' or '-'; "
            f"got {str(name)!r} ({problem})"
        )
    return text


def pack_dir(root: Path, plan_name: str, period: str) -> Path:
    """The folder of one plan pack: ``reports/<plan>/<period>/``."""
    return reports_dir(root) / safe_folder_name(plan_name) / period


def artifacts_dir(pack: Path) -> Path:
    """Where the notebooks of one pack exchange their tables."""
    return pack / "artifacts"


def shared_data_dir(root: Path) -> Path:
    """The public data sets kept beside the repository (``../shared/data``)."""
    return root.parent / "shared" / "data"
