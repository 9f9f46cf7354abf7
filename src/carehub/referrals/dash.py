"""The SafeLives DASH risk identification checklist and the MARAC referral criteria.

Pure functions, no database: the rules are the part practitioners must be able to trust, so they are kept small and
tested on their own. Thresholds are configurable (settings), because areas differ; the defaults follow SafeLives.
The question wording here is a paraphrase: a service licensed to use the official SafeLives text can load it from
a JSON file named by CAREHUB_DASH_WORDING_FILE (a list of 24 strings).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

ANSWERS = ("yes", "no", "dont_know")
ANSWER_LABELS = {"yes": "Yes", "no": "No", "dont_know": "Don't know"}

PARAPHRASED_QUESTIONS: tuple[str, ...] = (
    "Has the current incident resulted in injury?",
    "Is she very frightened?",
    "Is she afraid of further injury or violence, or of something else? (note what she is afraid of)",
    "Does she feel isolated from family or friends?",
    "Is she feeling depressed or having suicidal thoughts?",
    "Has she separated or tried to separate from the abuser within the past year?",
    "Is there conflict over child contact?",
    "Does the abuser constantly text, call, contact, follow, stalk or harass her?",
    "Is she pregnant, or has she had a baby in the last 18 months?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything she does, or is he excessively jealous?",
    "Has the abuser ever used weapons or objects to hurt her?",
    "Has the abuser ever threatened to kill her or someone else, and she believed it?",
    "Has the abuser ever attempted to strangle, choke, suffocate or drown her?",
    "Does the abuser do or say things of a sexual nature that make her feel bad or that physically hurt her?",
    "Is there any other person who has threatened her or whom she is afraid of?",
    "Does she know if the abuser has hurt anyone else?",
    "Has the abuser ever mistreated an animal or the family pet?",
    "Are there any financial issues, or is she dependent on the abuser for money?",
    "Has the abuser had problems in the past year with drugs, alcohol or mental health?",
    "Has the abuser ever threatened or attempted suicide?",
    "Has the abuser ever broken bail, an injunction or a formal agreement about contact?",
    "Does she know if the abuser has ever been in trouble with the police or has a criminal history?",
)
QUESTION_COUNT = 24


@lru_cache(maxsize=2)
def _questions_from(path: str) -> tuple[str, ...]:
    wording = json.loads(Path(path).read_text())
    if not isinstance(wording, list) or len(wording) != QUESTION_COUNT or not all(isinstance(q, str) for q in wording):
        raise ValueError(f"{path} must hold a JSON list of {QUESTION_COUNT} questions")
    return tuple(wording)


def questions() -> tuple[str, ...]:
    path = getattr(settings, "DASH_WORDING_FILE", "")
    return _questions_from(path) if path else PARAPHRASED_QUESTIONS


@dataclass(frozen=True)
class RiskRules:
    """The local settings of the risk rules. `version` is stored with each assessment so old ones stay explainable."""

    high_risk_threshold: int = 14
    escalation_callouts: int = 3
    bands_enabled: bool = False
    medium_from: int = 10
    # "safelives-2023": any new instance of abuse by the same perpetrator within 12 months of the last MARAC
    # referral is a repeat. "criminal-behaviour": the older definition, which required criminal behaviour.
    repeat_definition: str = "safelives-2023"

    @property
    def version(self) -> str:
        bands = f"bands{self.medium_from}" if self.bands_enabled else "nobands"
        return f"hr{self.high_risk_threshold}-esc{self.escalation_callouts}-{bands}-{self.repeat_definition}"


def rules_from_settings() -> RiskRules:
    return RiskRules(
        high_risk_threshold=getattr(settings, "DASH_HIGH_RISK_THRESHOLD", 14),
        escalation_callouts=getattr(settings, "MARAC_ESCALATION_CALLOUTS", 3),
        bands_enabled=getattr(settings, "DASH_BANDS_ENABLED", False),
        medium_from=getattr(settings, "DASH_MEDIUM_FROM", 10),
        repeat_definition=getattr(settings, "MARAC_REPEAT_DEFINITION", "safelives-2023"),
    )


@dataclass(frozen=True)
class PreviousMarac:
    """The survivor's last MARAC referral, for the repeat rule."""

    referred_on: dt.date
    same_perpetrator: bool
    new_incident_is_criminal: bool = False


@dataclass
class Assessment:
    score: int
    high_risk: bool
    risk_level: str
    marac_referral: bool
    marac_repeat: bool
    reasons: list[str] = field(default_factory=list)


def score(answers: dict[int, str]) -> int:
    """The number of "yes" answers; "don't know" counts as no, as SafeLives scores it."""
    return sum(1 for answer in answers.values() if answer == "yes")


def validate_answers(answers: dict[int, str]) -> dict[int, str]:
    """All 24 questions answered with yes, no or don't know; raises ValueError naming what is wrong."""
    missing = [n for n in range(1, QUESTION_COUNT + 1) if n not in answers]
    if missing:
        raise ValueError(f"questions not answered: {', '.join(map(str, missing))}")
    bad = [n for n, a in answers.items() if a not in ANSWERS or not 1 <= n <= QUESTION_COUNT]
    if bad:
        raise ValueError(f"answers must be yes, no or don't know (questions {', '.join(map(str, bad))})")
    return answers


def assess(
    answers: dict[int, str],
    *,
    professional_judgement: bool = False,
    police_callouts_12_months: int = 0,
    previous_marac: PreviousMarac | None = None,
    today: dt.date,
    rules: RiskRules | None = None,
) -> Assessment:
    """Score the checklist and decide MARAC referral. Professional judgement can raise risk, never lower it."""
    rules = rules or rules_from_settings()
    validate_answers(answers)
    total = score(answers)
    reasons: list[str] = []
    if total >= rules.high_risk_threshold:
        reasons.append(f"visible high risk: {total} 'yes' answers (threshold {rules.high_risk_threshold})")
    if professional_judgement:
        reasons.append("professional judgement")
    if police_callouts_12_months >= rules.escalation_callouts:
        reasons.append(
            f"potential escalation: {police_callouts_12_months} police call-outs in 12 months "
            f"(threshold {rules.escalation_callouts})"
        )
    repeat = _is_repeat(previous_marac, today, rules)
    if repeat:
        reasons.append("repeat: a new incident within 12 months of the last MARAC referral")
    high_risk = bool(reasons)
    if high_risk:
        level = "high"
    elif rules.bands_enabled and total >= rules.medium_from:
        level = "medium"
    else:
        level = "standard"
    return Assessment(
        score=total,
        high_risk=high_risk,
        risk_level=level,
        marac_referral=high_risk,
        marac_repeat=repeat,
        reasons=reasons,
    )


def _is_repeat(previous: PreviousMarac | None, today: dt.date, rules: RiskRules) -> bool:
    if previous is None or not previous.same_perpetrator:
        return False
    within_a_year = today - previous.referred_on <= dt.timedelta(days=365)
    if rules.repeat_definition == "criminal-behaviour":
        return within_a_year and previous.new_incident_is_criminal
    return within_a_year
