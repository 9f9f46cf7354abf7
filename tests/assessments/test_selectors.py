"""Reading a published assessment: once per published file, and again as soon as it is published anew."""

from __future__ import annotations

import json

from carehub.assessments import selectors


def test_a_published_assessment_is_read_once_per_file_and_again_when_republished(settings, tmp_path):
    settings.EIA_RESULTS_DIR = tmp_path
    (tmp_path / "hub").mkdir()
    path = tmp_path / "hub" / "results.json"
    path.write_text(json.dumps({"results": [], "findings": ["first"]}))
    first = selectors.published("hub")
    assert first.document["findings"] == ["first"]
    assert selectors.published("hub") is first  # its summaries and charts are built once, not on every page

    path.write_text(json.dumps({"results": [], "findings": ["second"]}))
    again = selectors.published("hub")
    assert again is not first and again.document["findings"] == ["second"]

    path.unlink()
    assert selectors.published("hub").document is None
    assert selectors.published("elsewhere") is None
