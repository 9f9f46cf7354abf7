"""Find, check and open the data sets a specification names, as Ibis tables on the chosen backend.

A data set is a file, a glob or folder of files of one layout, or `table:NAME` in the backend's database. Files are
checked for what they are before any backend reads them: a CSV renamed `.parquet` would otherwise fail deep in a
reader, or worse, read as something else. CSV files are read with every column as text on every backend, so the
same file gives the same values on DuckDB and on PySpark; conditions and durations cast where they need numbers.
"""

from __future__ import annotations

import csv
import difflib
import glob
import gzip
import io
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq

from .errors import DataFileError, MissingColumnError, SpecError
from .spec import Spec

SNIFF_BYTES = 65536
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Source:
    """Where one data set comes from, after overrides and checks."""

    name: str
    format: str  # "csv", "parquet" or "table"
    files: tuple[Path, ...] = ()
    table: str | None = None

    def describe(self) -> str:
        if self.table:
            return f"table {self.table}"
        if len(self.files) == 1:
            return self.files[0].name
        return f"{len(self.files)} files ({self.files[0].name} … {self.files[-1].name})"


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """`NAME=PATH` pairs from the command line."""
    overrides = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name.strip() or not path.strip():
            raise SpecError(f"--data {item!r}: write it as NAME=PATH, e.g. --data referrals=extract/referrals.parquet.")
        overrides[name.strip()] = path.strip()
    return overrides


def resolve_sources(spec: Spec, overrides: Mapping[str, str] | None = None) -> dict[str, Source]:
    """Each data set's files (or table), overrides first, then the path in the specification (relative to it)."""
    overrides = dict(overrides or {})
    for name in overrides:
        if name not in spec.datasets:
            raise SpecError(
                f"--data {name}=…: the specification has no data set called {name!r} "
                f"(it has: {', '.join(spec.datasets)})."
            )
    base = spec.source.parent if spec.source else Path.cwd()
    sources = {}
    for name, dataset in spec.datasets.items():
        location = overrides.get(name, dataset.path)
        if not location:
            raise DataFileError(f"Data set {name!r} has no path: give it with --data {name}=PATH.")
        if location.startswith("table:") or dataset.format == "table":
            sources[name] = Source(name, "table", table=location.removeprefix("table:"))
            continue
        path = Path(location).expanduser()
        if not path.is_absolute() and name not in overrides:
            path = base / path
        sources[name] = _file_source(name, path, dataset.format)
    return sources


def _file_source(name: str, path: Path, declared: str) -> Source:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    elif any(ch in str(path) for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(str(path)))
    else:
        files = [path]
    if not files:
        raise DataFileError(f"Data set {name!r}: nothing found at {path}.")
    formats = {f: sniff(f, declared) for f in files}
    kinds = set(formats.values())
    if len(kinds) > 1:
        raise DataFileError(f"Data set {name!r}: {path} mixes CSV and Parquet files; give one kind per data set.")
    kind = kinds.pop()
    if kind == "csv":
        _same_header(name, files)
    return Source(name, kind, files=tuple(files))


def sniff(path: Path, declared: str = "auto") -> str:
    """'csv' or 'parquet' from the bytes themselves, checked against the name and the declared format."""
    if not path.exists():
        raise DataFileError(f"{path} does not exist.")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path} is empty.")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        handle.seek(-min(4, path.stat().st_size), 2)
        tail = handle.read(4)
    gzipped = head[:2] == b"\x1f\x8b"
    if path.name.lower().endswith(".gz") != gzipped:
        raise DataFileError(
            f"{path} is named {'as gzip-compressed (.gz)' if not gzipped else 'without .gz'} but its contents are "
            f"{'not compressed' if not gzipped else 'gzip-compressed'}: "
            f"{'remove the .gz' if not gzipped else 'name it .csv.gz'}."
        )
    if head[:4] == PARQUET_MAGIC:
        actual = "parquet" if tail == PARQUET_MAGIC else "broken parquet"
    elif gzipped:
        actual = _text_kind(_gunzip_head(path))
    elif head[:2] == b"PK":
        actual = "zip"
    else:
        actual = _text_kind(head)
    claimed = declared if declared in ("csv", "parquet") else _claimed_by_name(path)
    if actual == "broken parquet":
        raise DataFileError(f"{path} starts like Parquet but is truncated or damaged (no footer).")
    if actual not in ("csv", "parquet"):
        what = {"zip": "a ZIP archive (an Excel workbook?)", "binary": "binary data"}.get(actual, actual)
        raise DataFileError(f"{path} is {what}, not CSV or Parquet: export it as CSV or Parquet.")
    if claimed and claimed != actual:
        raise DataFileError(
            f"{path} is named or declared as {claimed.upper()} but its contents are {actual.upper()}: "
            "rename it, or fix the data set's format."
        )
    return actual


def _claimed_by_name(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq", ".parq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".tsv", ".txt", ".txt.gz")):
        return "csv"
    return None


def _gunzip_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(SNIFF_BYTES)
    except (OSError, EOFError) as error:
        raise DataFileError(f"{path} looks gzipped but cannot be decompressed: {error}.") from None


def _text_kind(head: bytes) -> str:
    if head[:4] == PARQUET_MAGIC:
        return "compressed parquet"
    if b"\x00" in head:
        return "binary"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].lower()
    if start.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        return "HTML or XML (a web page saved in place of the download?)"
    if start.startswith((b"{", b"[")):
        return "JSON"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a multibyte character cut at the end of the sample is fine
            return "binary"
    return "csv"


def csv_header(path: Path) -> list[str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(io.StringIO(handle.readline())), [])


def _same_header(name: str, files: list[Path]) -> None:
    first = csv_header(files[0])
    for other in files[1:]:
        if csv_header(other) != first:
            raise DataFileError(
                f"Data set {name!r}: {other.name} does not have the same columns as {files[0].name}; "
                "files of one data set must share one header."
            )


def open_table(con: ibis.BaseBackend, source: Source) -> ibis.Table:
    """Register the source with the backend and return it as an Ibis table (nothing is read yet)."""
    if source.format == "table":
        schema, _, table = source.table.rpartition(".")
        try:
            return con.table(table, database=schema or None)
        except Exception as error:
            raise DataFileError(f"Data set {source.name!r}: cannot open {source.describe()}: {error}.") from None
    paths = [str(p) for p in source.files]
    try:
        if con.name not in ("duckdb", "pyspark"):
            return _upload(con, source)
        if source.format == "parquet":
            if con.name == "duckdb":
                return con.read_parquet(paths)
            # other backends take one path at a time: read each file and stack them (same schema required)
            tables = [con.read_parquet(path) for path in paths]
            return tables[0] if len(tables) == 1 else ibis.union(*tables, distinct=False)
        if con.name == "duckdb":
            return con.read_csv(paths, all_varchar=True, header=True)
        if con.name == "pyspark":
            return con.read_csv(paths, header=True, inferSchema=False)
        return con.read_csv(paths)
    except Exception as error:
        raise DataFileError(f"Data set {source.name!r}: {source.describe()} could not be read: {error}") from None


def _upload(con: ibis.BaseBackend, source: Source) -> ibis.Table:
    """Backends that cannot read files themselves (PostgreSQL) get the file's rows as a temporary table.

    Meant for small files such as a population table; large data belong in the database, named with table:NAME.
    CSV columns are all text, as on the other backends.
    """
    if source.format == "parquet":
        table = pa.concat_tables([pq.read_table(p) for p in source.files])
    else:
        tables = []
        for path in source.files:
            header = csv_header(path)
            options = pv.ConvertOptions(column_types={name: pa.string() for name in header}, strings_can_be_null=True)
            tables.append(pv.read_csv(path, convert_options=options))
        table = pa.concat_tables(tables)
    return con.create_table(f"eia_{source.name}_{uuid.uuid4().hex[:8]}", table, temp=True)


def require_columns(table: ibis.Table, columns: Iterable[str], dataset: str, needed_by: Mapping[str, str]) -> None:
    """Every column the specification uses must exist; the error names who needs it and suggests a near name."""
    present = list(table.columns)
    for column in dict.fromkeys(columns):
        if column not in present:
            close = difflib.get_close_matches(column, present, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else f" It has: {', '.join(present)}."
            raise MissingColumnError(
                f"Data set {dataset!r} has no column {column!r} (used by {needed_by.get(column, 'the specification')})."
                + hint
            )
