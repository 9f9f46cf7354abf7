"""The import contract (.importlinter) holds, and bites: a deliberate violation in a copy of the code fails it.

`make lint` runs the same `lint-imports`; these tests keep the contract honest in the suite as well, and show that
each kind of rule is really checked (a contract that passes whatever the code does protects nothing).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from carehub.core import layers

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))


def _lint(src: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(CONFIG), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    """The package's Python files only (grimp reads nothing else), so a violation can be written without touching
    the real tree."""
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "carehub",
        src / "carehub",
        ignore=lambda folder, names: [n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()],
    )
    return src


def test_the_contract_holds(tmp_path):
    result = _lint(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "violation", "expected"),
    [
        # A lower app importing a higher one: people (survivors) reaching up into cases.
        (
            "people/services.py",
            "from carehub.cases import models as _higher",
            "carehub.people is not allowed to import carehub.cases",
        ),
        # A page starting a query of its own, past its selectors and the policy.
        (
            "referrals/views.py",
            "from carehub.people.models import Survivor as _Survivor",
            "carehub.referrals.views is not allowed to import carehub.people.models",
        ),
        # A page importing any app's models, even only to name a role (core.choices has Role), or its own app's.
        (
            "directory/views.py",
            "from carehub.accounts.models import Role as _Role",
            "carehub.directory.views is not allowed to import carehub.accounts.models",
        ),
        (
            "coproduction/views.py",
            "from carehub.coproduction.models import Commitment as _Commitment",
            "carehub.coproduction.views is not allowed to import carehub.coproduction.models",
        ),
        # The analytics engine depending on Django.
        ("insight/suppression.py", "import django as _django", "carehub.insight is not allowed to import django"),
        # The seeder imported by the running hub.
        ("cases/services.py", "from carehub.demo import plan as _plan", "is not allowed to import carehub.demo"),
        # The generators depending on Django, or on an app.
        ("synthetic/census.py", "import django as _django", "carehub.synthetic is not allowed to import django"),
        (
            "synthetic/heritage.py",
            "from carehub.people.monitoring import Religion as _Religion",
            "carehub.synthetic is not allowed to import carehub.people",
        ),
        # The generators drawn by the running hub rather than through the seeder.
        (
            "referrals/services.py",
            "from carehub.synthetic import london as _london",
            "is not allowed to import carehub.synthetic",
        ),
    ],
)
def test_a_deliberate_violation_breaks_the_contract(tmp_path, module, violation, expected):
    src = _copy_of_the_code(tmp_path)
    assert _lint(src, tmp_path).returncode == 0  # the copy is as good as the original...
    target = src / "carehub" / module
    target.write_text(target.read_text() + f"\n{violation}  # deliberate, for the test\n")
    result = _lint(src, tmp_path)  # ...until one import goes the wrong way
    assert result.returncode == 1
    assert expected in " ".join(result.stdout.split())


def test_the_layers_command_finds_no_circle_and_no_import_against_the_order():
    out = io.StringIO()
    assert layers.report(CONFIG, out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert "App-level circles: 0" in text
    assert "Imports against the order: 0" in text
    order = [app for layer in layers.declared_order(CONFIG) for app in layer]
    assert order.index("independent") < order.index("cases") < order.index("referrals") < order.index("people")
    assert order[-4:] == ["accounts", "notifications", "audit", "core"]


def test_circles_are_found_between_apps():
    edges = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert layers.circles(["a", "b", "c", "d"], edges) == [["a", "b", "c"]]
    assert layers.circles(["a", "b"], {"a": {"b": []}}) == []
