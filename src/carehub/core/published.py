"""Published analysis results on disk, the same for every publishing app (assessments, commissioning, duration).

An app runs its analysis into a new folder beside the published one and swaps it in by renames, so a reader never
sees half a publication and a failed run leaves the old one in place. Its pages offer the report and the CSV for
download, looked up by a known kind, never by a path from a URL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.http import FileResponse, Http404

T = TypeVar("T")

FILES = {"report": ("report.html", "text/html; charset=utf-8"), "csv": ("results.csv", "text/csv; charset=utf-8")}


def staged(root: Path, name: str, produce: Callable[[Path], T]) -> tuple[T, Path]:
    """Call `produce` with a new, empty folder beside `root / name`; its answer and the folder. When it fails the
    folder is removed (half a run is never left to be swapped in) and the error goes on."""
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        return produce(staging), staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, target: Path) -> None:
    """Make `staging` the published `target`: the old folder is renamed aside, the new one renamed in, the old one
    deleted, so `target` is always a whole publication."""
    retired = target.with_name(f".{target.name}-retired")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def published_file(folder: Path, kind: str) -> tuple[Path, str] | None:
    """(path, content type) of a publication's report or CSV, when `kind` is one of FILES and the file exists."""
    if kind not in FILES:
        return None
    filename, content_type = FILES[kind]
    path = folder / filename
    return (path, content_type) if path.exists() else None


def file_download(found: tuple[Path, str] | None, kind: str, csv_name: str) -> FileResponse:
    """The response for a published file (404 when there is none): the report opens in the browser, the CSV is
    saved as `csv_name`."""
    if found is None:
        raise Http404
    path, content_type = found
    response = FileResponse(path.open("rb"), content_type=content_type)
    if kind == "csv":
        response["Content-Disposition"] = f'attachment; filename="{csv_name}"'
    return response
