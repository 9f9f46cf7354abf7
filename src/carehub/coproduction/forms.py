"""Forms of co-production: GOV.UK components through `{% govuk_field %}`; the services check the rest."""

from __future__ import annotations

from django import forms

from carehub.coproduction.models import ActionStatus, Answer, CommitmentStatus, Decision, Stance
from carehub.core.choices import Community, ServiceType
from carehub.core.forms import DatePartsField
from carehub.people.monitoring import AgeBand, Disability, SexualOrientation

POINTS = 3  # points an answer may make on one form; an organisation with more answers again in its evidence


class CommitmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea)
    owner = forms.CharField(max_length=200, help_text="The team or role answerable for it.")
    status = forms.ChoiceField(choices=CommitmentStatus.choices, widget=forms.RadioSelect)
    service_types = forms.MultipleChoiceField(
        choices=ServiceType.choices, widget=forms.CheckboxSelectMultiple, required=False, label="Services it touches"
    )
    populations = forms.MultipleChoiceField(
        choices=Community.choices, widget=forms.CheckboxSelectMultiple, required=False, label="Populations it touches"
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=CommitmentStatus.choices, widget=forms.RadioSelect, label="Status")


class AssessmentForm(forms.Form):
    runs = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, label="Published equality runs it rests on"
    )
    assessed_on = DatePartsField(label="Date of the assessment")
    impact = forms.CharField(
        widget=forms.Textarea,
        label="What is the impact on each protected and minoritised group, including insecure immigration status?",
    )
    mitigation = forms.CharField(widget=forms.Textarea, label="What is done to remove or reduce a disadvantage?")
    monitoring = forms.CharField(widget=forms.Textarea, label="How is the impact monitored?")

    def __init__(self, *args, runs: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["runs"].choices = runs


class SignOffForm(forms.Form):
    name = forms.CharField(max_length=200, label="Assessor's name")


class ConsultationForm(forms.Form):
    question = forms.CharField(widget=forms.Textarea, label="The question")
    documents = forms.CharField(
        widget=forms.Textarea, required=False, label="Documents", help_text="Text, or links, one a line."
    )
    assessment = forms.ChoiceField(choices=(), required=False, label="Equality impact assessment to share")
    closes_on = DatePartsField(label="Closing date", past_only=False)
    organisations = forms.MultipleChoiceField(
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        label="Organisations to invite",
        help_text="By-and-for and specialist organisations are chosen already.",
    )

    def __init__(self, *args, assessments: list[tuple[str, str]], organisations: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", "None"), *assessments]
        self.fields["organisations"].choices = organisations


class AnswerForm(forms.Form):
    stance = forms.ChoiceField(choices=Stance.choices, widget=forms.RadioSelect, label="Your organisation's view")
    in_confidence = forms.TypedChoiceField(
        choices=[("no", "Openly: the other invited organisations may read it, and its points may be published"),
                 ("yes", "In confidence: the commissioner alone may read it")],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect, label="Who may read your answer",
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, POINTS + 1):
            required = n == 1
            self.fields[f"point_{n}"] = forms.CharField(widget=forms.Textarea, required=required, label=f"Point {n}")
            self.fields[f"evidence_{n}"] = forms.CharField(
                widget=forms.Textarea, required=False, label=f"Evidence for point {n}"
            )
            self.fields[f"communities_{n}"] = forms.MultipleChoiceField(
                choices=Community.choices, widget=forms.CheckboxSelectMultiple, required=False,
                label=f"Communities point {n} speaks for",
            )  # fmt: skip


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label="Decision")
    reasons = forms.CharField(widget=forms.Textarea, label="Reasons")


class ActionForm(forms.Form):
    title = forms.CharField(max_length=200, label="What will be done")
    owner = forms.CharField(max_length=200, label="Owner", help_text="The team or role that will do it.")
    due_on = DatePartsField(label="Due date", past_only=False)
    points = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, required=False, label="Points it answers"
    )

    def __init__(self, *args, points: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["points"].choices = points


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, widget=forms.RadioSelect, label="Status")
    progress = forms.IntegerField(min_value=0, max_value=100, label="Progress (%)")
    note = forms.CharField(max_length=500, required=False, label="What happened")


class FeedbackOfferForm(forms.Form):
    method = forms.ChoiceField(choices=(), widget=forms.RadioSelect, label="How to send her the link")

    def __init__(self, *args, methods: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = methods


PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")
ETHNIC_GROUPS = [
    ("asian", "Asian or Asian British"),
    ("black", "Black, Black British, Caribbean or African"),
    ("mixed", "Mixed or multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
    PREFER_NOT,
]


def _answer(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=Answer.choices, widget=forms.RadioSelect, label=label)


def _optional(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(choices=list(choices), widget=forms.RadioSelect, required=False, label=label)


class FeedbackForm(forms.Form):
    felt_believed = _answer("Did you feel believed?")
    felt_safe = _answer("Did you feel safe?")
    culture_fit = _answer("Did the support fit your culture and language?")
    knew_rights = _answer("Did you know your rights under the Victims' Code?")
    would_recommend = _answer("Would you recommend the service to a friend?")
    open_text = forms.CharField(
        widget=forms.Textarea, required=False, label="Is there anything else you want to tell us?",
        help_text="Please do not write your name or anything that could identify you.",
    )  # fmt: skip
    ethnic_group = _optional("Your ethnic group (optional)", ETHNIC_GROUPS)
    disabled = _optional(
        "Are your day-to-day activities limited by a long-term condition? (optional)", Disability.choices
    )
    sexual_orientation = _optional("Your sexual orientation (optional)", SexualOrientation.choices)
    age_band = _optional("Your age (optional)", AgeBand.choices)
