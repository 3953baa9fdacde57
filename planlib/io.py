"""All reading and writing: source files, SQL, pack artifacts, file hashes.

Stage modules never touch the disk; they receive and return frames. Errors name
the file so the user knows where to look.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planlib.errors import DataError
from planlib.i18n import _

ENCODINGS_TRIED = ("utf-8-sig", "gbk")  # utf-8-sig reads plain UTF-8 too


def read_table(
    path: Path,
    *,
    kind: str | None = None,
    encoding: str = "auto",
    sheet: str | int | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file into a frame of raw (untyped) columns.

    CSV text columns are read as strings so that nothing is guessed before the
    loader's checks; ``encoding="auto"`` tries UTF-8 (with or without BOM), then GBK.
    """
    return _read(path, kind=kind, encoding=encoding, sheet=sheet, label=label)


def read_header(
    path: Path,
    *,
    kind: str | None = None,
    encoding: str = "auto",
    sheet: str | int | None = None,
    label: str | None = None,
) -> list[str]:
    """The column names of a CSV, Excel or Parquet file, read without its rows (cheap)."""
    return [str(c) for c in _read(path, kind=kind, encoding=encoding, sheet=sheet, label=label, nrows=0).columns]


def read_columns(
    path: Path,
    columns: list[str],
    *,
    kind: str | None = None,
    encoding: str = "auto",
    sheet: str | int | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Some columns of a CSV, Excel or Parquet file (e.g. the dates, to check the period they cover)."""
    return _read(path, kind=kind, encoding=encoding, sheet=sheet, label=label, usecols=list(dict.fromkeys(columns)))


def _read(
    path: Path,
    *,
    kind: str | None,
    encoding: str,
    sheet: str | int | None,
    label: str | None,
    nrows: int | None = None,
    usecols: list[str] | None = None,
) -> pd.DataFrame:
    """The one reader behind ``read_table``, ``read_header`` and ``read_column``: every failure a DataError naming the file."""
    label = label or str(path)
    if not path.is_file():
        raise DataError(_("file not found") if not path.exists() else _("is not a file"), path=label)
    kind = kind or _kind_from_suffix(path)
    _check_magic(path, kind, label)
    try:
        if kind == "csv":
            return _read_csv(path, encoding=encoding, label=label, nrows=nrows, usecols=usecols)
        if kind == "excel":
            return pd.read_excel(
                path, sheet_name=0 if sheet is None else sheet, engine="openpyxl", nrows=nrows, usecols=usecols
            )
        if kind == "parquet":
            if nrows == 0:
                import pyarrow.parquet as pq

                return pq.read_schema(path).empty_table().to_pandas()
            return pd.read_parquet(path, columns=usecols)
    except DataError:
        raise
    except (ValueError, OSError, KeyError, IndexError, EOFError, zipfile.BadZipFile) as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(_("cannot read as {kind}: {detail}").format(kind=kind, detail=detail), path=label) from None
    except Exception as err:  # a reader library's own error class (openpyxl, pyarrow)
        if type(err).__module__.split(".")[0] not in _READER_LIBRARIES:
            raise
        detail = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(_("cannot read as {kind}: {detail}").format(kind=kind, detail=detail), path=label) from None
    raise DataError(_("unknown file type '{suffix}' (expected .csv, .xlsx or .parquet)").format(suffix=path.suffix), path=label)


# the first bytes of each binary format: a CSV renamed .xlsx is told apart from a damaged workbook
_MAGIC = {"excel": (b"PK\x03\x04",), "parquet": (b"PAR1",)}
_READER_LIBRARIES = {"openpyxl", "pyarrow", "zipfile", "xml", "lxml"}


def _check_magic(path: Path, kind: str, label: str) -> None:
    """DataError when a binary file does not start like its format (e.g. CSV text named .xlsx)."""
    if kind not in _MAGIC:
        return
    with path.open("rb") as handle:
        head = handle.read(8)
    if any(head.startswith(m) for m in _MAGIC[kind]):
        return
    if not head:
        raise DataError(_("the file is empty"), path=label)
    if kind == "excel" and head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(_("is an old Excel 97-2003 workbook (.xls); save it as .xlsx"), path=label)
    looks = _("text (CSV?)") if _looks_like_text(head) else _("another format")
    expected = _("an Excel .xlsx workbook") if kind == "excel" else _("a Parquet file")
    raise DataError(_("is not {expected}: its content looks like {looks}; rename it or set the source type").format(expected=expected, looks=looks),
                    path=label)


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("gbk")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def _kind_from_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes or ".txt" in suffixes:
        return "csv"
    if suffixes and suffixes[-1] in (".xlsx", ".xlsm", ".xls"):
        return "excel"
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet"
    return suffixes[-1].lstrip(".") if suffixes else "unknown"


def _read_csv(
    path: Path, *, encoding: str, label: str, nrows: int | None = None, usecols: list[str] | None = None
) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise DataError(_("the file is empty"), path=label)
    encodings = ENCODINGS_TRIED if encoding == "auto" else (encoding,)
    last_error: Exception | None = None
    for enc in encodings:
        try:
            return pd.read_csv(
                path, encoding=enc, dtype=str, keep_default_na=False, na_values=[""], nrows=nrows, usecols=usecols
            )
        except UnicodeDecodeError as err:
            last_error = err
        except pd.errors.EmptyDataError:
            raise DataError(_("the file is empty"), path=label) from None
    raise DataError(
        _("cannot decode the text as {encodings} ({error}); set data.encoding to the file's encoding").format(
            encodings=_(" or ").join(encodings), error=last_error),
        path=label,
    )


def read_sql(url: str, query: str, *, password_env: str | None = None, label: str = "sql") -> pd.DataFrame:
    """Run ``query`` against the database at SQLAlchemy ``url``.

    The password never comes from params: it is read from the environment variable
    named by ``password_env`` and set on the URL here, so it reaches no notebook.
    """
    import sqlalchemy

    engine_url = sql_url_with_password(url, password_env)
    try:
        engine = sqlalchemy.create_engine(engine_url)
    except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError, TypeError) as err:
        # the message may quote the URL: name the driver problem only, never the URL
        raise DataError(
            _("data.url: cannot open a connection of type '{driver}' ({error}; is its database driver installed?)").format(
                driver=engine_url.drivername, error=type(err).__name__),
            path=label,
        ) from None
    try:
        with engine.connect() as conn:
            return pd.read_sql_query(sqlalchemy.text(query), conn)
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError) as err:
        cause = getattr(err, "orig", None) or err.__cause__ or err
        message = str(cause).splitlines()[0] if str(cause).strip() else type(cause).__name__
        if engine_url.password:  # a driver may echo what it was given: never pass the secret on
            message = message.replace(str(engine_url.password), "***")
        raise DataError(_("the SQL query failed: {message}").format(message=message), path=label) from None
    finally:
        engine.dispose()


def sql_url_with_password(url: str, password_env: str | None) -> Any:
    """The SQLAlchemy URL with the password taken from ``$password_env`` (if named)."""
    import sqlalchemy

    try:
        parsed = sqlalchemy.engine.make_url(url)
    except (sqlalchemy.exc.ArgumentError, ValueError):
        # SQLAlchemy's message quotes the whole URL: say what is wrong without it
        raise DataError(_("data.url is not a database URL (expected dialect://user@host/database)"), path="sql") from None
    if password_env:
        password = os.environ.get(password_env)
        if password is None:
            raise DataError(
                _("data.password_env names the environment variable {name}, which is not set").format(name=password_env),
                path="sql",
            )
        parsed = parsed.set(password=password)
    return parsed


def write_artifact(frame: pd.DataFrame, pack: Path, name: str) -> Path:
    """Write one table of a pack as Parquet: ``<pack>/artifacts/<name>.parquet``.

    ``frame.attrs`` (a stage's notes, e.g. the as-of date of a comparison) travel with
    the table, so a summary reads the same from a fresh build and from the pack.
    """
    folder = pack / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.parquet"
    if frame.attrs:
        attrs = json.loads(json.dumps(frame.attrs, default=_encode_attr))
        frame = frame.copy(deep=False)
        frame.attrs = attrs
    # written aside then renamed: a reader (another notebook, a parallel test worker, a
    # kill) never sees half a file; a meaningful index (e.g. cohorts) round-trips
    partial = folder / f".{name}.{os.getpid()}.partial"
    wide = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype) and len(frame[c].cat.categories) > WIDE_CATEGORIES]
    if wide:
        _write_with_plain_text(frame, partial, wide)
    else:
        frame.to_parquet(partial)
    os.replace(partial, target)
    return target


# A categorical with more categories than this (order ids at millions of lines) is stored as
# plain text: Parquet repeats a column's whole dictionary in every row group, so 4M order ids
# made a 10M-line orders file of 350 MB that took a minute to read back. Read back as
# ``category`` again, over the values present, sorted (as the intake sorts them).
WIDE_CATEGORIES = 1 << 16
_WIDE_KEY = "planlib.wide_categories"  # in the attrs pandas stores with the file: read back with the frame, no second read


def _write_with_plain_text(frame: pd.DataFrame, target: Path, wide: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame)
    for name in wide:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, table.column(i).cast(pa.string()))
    metadata = dict(table.schema.metadata or {})
    metadata[b"PANDAS_ATTRS"] = json.dumps({**frame.attrs, _WIDE_KEY: wide}).encode()  # as pandas' to_parquet keeps attrs
    pq.write_table(table.replace_schema_metadata(metadata), target)


def _restore_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns written as plain text by ``_write_with_plain_text`` back to ``category`` (their list leaves the attrs)."""
    for name in frame.attrs.pop(_WIDE_KEY, []):
        if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype):
            codes, uniques = pd.factorize(frame[name], sort=True)
            frame[name] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=str))
    return frame


def artifact_columns(pack: Path, name: str) -> list[str]:
    """The column names of an artifact, read from its Parquet schema (no data read)."""
    import pyarrow.parquet as pq

    return [c for c in pq.read_schema(pack / "artifacts" / f"{name}.parquet").names if not c.startswith("__index_level_")]


def read_artifact(pack: Path, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one table written by ``write_artifact`` (attrs restored); ``columns`` reads only those (columnar)."""
    frame = _restore_categories(pd.read_parquet(pack / "artifacts" / f"{name}.parquet", columns=columns))
    if frame.attrs:
        frame.attrs = json.loads(json.dumps(frame.attrs), object_hook=_decode_attr)
    return frame


def _encode_attr(value: Any) -> Any:
    """JSON form of the values stages keep in attrs (timestamps, dates, numpy scalars)."""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return {"__timestamp__": pd.Timestamp(value).isoformat()}
    if isinstance(value, dt.date):
        return {"__date__": value.isoformat()}
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"attrs value of type {type(value).__name__} cannot be stored with an artifact")


def _decode_attr(obj: dict) -> Any:
    """Inverse of ``_encode_attr`` (a JSON object hook)."""
    if set(obj) == {"__timestamp__"}:
        return pd.Timestamp(obj["__timestamp__"])
    if set(obj) == {"__date__"}:
        return dt.date.fromisoformat(obj["__date__"])
    return obj


def has_artifact(pack: Path, name: str) -> bool:
    return (pack / "artifacts" / f"{name}.parquet").is_file()


_ABSENT = "absent.json"  # tables a stage ran and did not produce for this plan (no quotas, no channel ...)


def absent_artifacts(pack: Path) -> set[str]:
    """Names of the tables whose stage has run in ``pack`` without producing them."""
    path = pack / "artifacts" / _ABSENT
    return set(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else set()


def mark_absent(pack: Path, names: list[str]) -> None:
    """Note that the stage that builds ``names`` ran in ``pack`` and produced none of them."""
    if not names:
        return
    absent = absent_artifacts(pack) | set(names)
    path = pack / "artifacts" / _ABSENT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sorted(absent)) + "\n", encoding="utf-8")


def write_json(data: Any, target: Path) -> Path:
    """Write JSON with sorted keys and a trailing newline (stable diffs)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return target


def hash_text(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes (e.g. a SQL query, recorded without its result)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hash_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, streamed (inputs may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed version of each package (``not installed`` where absent) and of Python, for a pack's manifest."""
    from importlib import metadata
    import platform

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions
