"""The DASH and MARAC rules on their own: thresholds, judgement, escalation, repeats, configuration."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carehub.referrals import dash

TODAY = dt.date(2026, 11, 24)


def answers(yes: int, dont_know: int = 0) -> dict[int, str]:
    result = {}
    for n in range(1, 25):
        result[n] = "yes" if n <= yes else ("dont_know" if n <= yes + dont_know else "no")
    return result


def test_score_counts_yes_only():
    assert dash.score(answers(5, dont_know=10)) == 5


@pytest.mark.parametrize(("yes", "high"), [(13, False), (14, True), (24, True), (0, False)])
def test_fourteen_yes_is_visible_high_risk(yes, high):
    result = dash.assess(answers(yes), today=TODAY, rules=dash.RiskRules())
    assert result.high_risk is high
    assert result.marac_referral is high


def test_professional_judgement_alone_raises_risk():
    result = dash.assess(answers(2), professional_judgement=True, today=TODAY, rules=dash.RiskRules())
    assert result.high_risk and result.reasons == ["professional judgement"]


@given(st.integers(min_value=14, max_value=24), st.booleans(), st.integers(min_value=0, max_value=20))
def test_nothing_can_downgrade_visible_high_risk(yes, judgement, callouts):
    result = dash.assess(
        answers(yes),
        professional_judgement=judgement,
        police_callouts_12_months=callouts,
        today=TODAY,
        rules=dash.RiskRules(),
    )
    assert result.high_risk and result.risk_level == "high"


def test_escalation_threshold_is_configurable():
    three = dash.assess(answers(1), police_callouts_12_months=3, today=TODAY, rules=dash.RiskRules())
    five = dash.assess(
        answers(1), police_callouts_12_months=3, today=TODAY, rules=dash.RiskRules(escalation_callouts=5)
    )
    assert three.high_risk and not five.high_risk


def test_high_risk_threshold_is_configurable():
    assert dash.assess(answers(12), today=TODAY, rules=dash.RiskRules(high_risk_threshold=12)).high_risk


def test_medium_band_is_off_by_default_and_local_when_on():
    assert dash.assess(answers(11), today=TODAY, rules=dash.RiskRules()).risk_level == "standard"
    banded = dash.RiskRules(bands_enabled=True)
    assert dash.assess(answers(11), today=TODAY, rules=banded).risk_level == "medium"
    assert dash.assess(answers(9), today=TODAY, rules=banded).risk_level == "standard"


def test_repeat_marac_within_twelve_months_same_perpetrator():
    recent = dash.PreviousMarac(TODAY - dt.timedelta(days=200), same_perpetrator=True)
    old = dash.PreviousMarac(TODAY - dt.timedelta(days=400), same_perpetrator=True)
    other = dash.PreviousMarac(TODAY - dt.timedelta(days=30), same_perpetrator=False)
    rules = dash.RiskRules()
    assert dash.assess(answers(1), previous_marac=recent, today=TODAY, rules=rules).marac_repeat
    assert not dash.assess(answers(1), previous_marac=old, today=TODAY, rules=rules).marac_repeat
    assert not dash.assess(answers(1), previous_marac=other, today=TODAY, rules=rules).marac_repeat


def test_the_older_repeat_definition_needs_criminal_behaviour():
    rules = dash.RiskRules(repeat_definition="criminal-behaviour")
    previous = dash.PreviousMarac(TODAY - dt.timedelta(days=30), same_perpetrator=True)
    criminal = dash.PreviousMarac(TODAY - dt.timedelta(days=30), same_perpetrator=True, new_incident_is_criminal=True)
    assert not dash.assess(answers(1), previous_marac=previous, today=TODAY, rules=rules).marac_repeat
    assert dash.assess(answers(1), previous_marac=criminal, today=TODAY, rules=rules).marac_repeat
    assert rules.version != dash.RiskRules().version


def test_every_question_must_be_answered():
    partial = answers(3)
    del partial[24]
    with pytest.raises(ValueError, match="24"):
        dash.assess(partial, today=TODAY, rules=dash.RiskRules())


def test_an_answer_outside_yes_no_dont_know_is_refused():
    bad = answers(3)
    bad[2] = "maybe"
    with pytest.raises(ValueError, match="yes, no or don't know"):
        dash.validate_answers(bad)


def test_there_are_24_questions_and_a_service_can_load_its_licensed_wording(tmp_path, settings):
    assert len(dash.questions()) == 24
    wording = tmp_path / "dash.json"
    wording.write_text(json.dumps([f"Official {n}" for n in range(1, 25)]))
    settings.DASH_WORDING_FILE = str(wording)
    assert dash.questions()[0] == "Official 1"
    short = tmp_path / "short.json"
    short.write_text(json.dumps(["too few"]))
    settings.DASH_WORDING_FILE = str(short)
    with pytest.raises(ValueError, match="24 questions"):
        dash.questions()
