"""Reading the published duration analysis for the commissioners' page: aggregates only, as the library wrote them."""

from __future__ import annotations

import json
from pathlib import Path

from carehub.core import published as files
from carehub.duration.services import NAME, results_dir


def published() -> dict | None:
    """results.json with the charts added as SVG text, or None before anything is published."""
    path = results_dir() / NAME / "results.json"
    if not path.exists():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    from carehub.insight.duration.outputs import charts  # not at import: it loads the statistics stack

    document["charts"] = charts(document)
    document["groups_shown"] = _groups(document)
    return document


def _groups(document: dict) -> list[dict]:
    """Group rows by characteristic, each with its level's figures per band ("Too few to show" where hidden)."""
    bands = [b["band"] for b in document["describe"]["bands"]]
    table: dict[str, dict[str, dict]] = {}
    for row in document["describe"]["groups"]:
        levels = table.setdefault(row["group"], {})
        levels.setdefault(row["level"], {})[row["band"]] = row
    return [
        {
            "group": group.replace("_", " ").capitalize(),
            "levels": [
                {"level": level, "cells": [cells.get(band, {"suppressed": True}) for band in bands]}
                for level, cells in levels.items()
            ],
        }
        for group, levels in table.items()
    ]


def published_file(kind: str) -> tuple[Path, str] | None:
    """(path, content type) of the published report or CSV, if it exists."""
    return files.published_file(results_dir() / NAME, kind)
