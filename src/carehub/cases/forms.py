"""Case forms. Each page asks one thing, in the GOV.UK pattern; services do the checking that needs the database."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils import timezone

from carehub.cases.models import (
    SCALE_MAX,
    SCALE_MIN,
    SCALES,
    AbuseChange,
    ClosureReason,
    ContactKind,
    DocumentKind,
    GoalStatus,
    NotAnswered,
    TransferReason,
)
from carehub.cases.services import CLOSING_MEASURES_NEEDED, ROUTABLE_SERVICE_TYPES, Measures
from carehub.core.choices import AbuseType, ServiceType
from carehub.core.forms import DatePartsField, choices_with_blank

ANSWERED = "answered"


def _narrow(field: forms.Field, width: str) -> forms.Field:
    """Ask `{% govuk_field %}` for a narrow input (the generic form page passes `govuk_width` on)."""
    field.govuk_width = width
    return field


class VersionedForm(forms.Form):
    """Carries the case version the page was based on, so a stale page cannot overwrite someone else's change."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class AllocateForm(VersionedForm):
    caseworker = forms.TypedChoiceField(
        label="Who will support her?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a caseworker.", "invalid_choice": "Choose a caseworker from the list."},
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].choices = choices


class TransferForm(AllocateForm):
    reason = forms.ChoiceField(
        label="Why is the case moving?",
        choices=TransferReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case is moving."},
    )


class GoalForm(forms.Form):
    text = forms.CharField(
        label="Goal",
        help_text="What she wants to achieve, in her words where you can.",
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"required": "Describe the goal."},
    )


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Where has this goal got to?",
        choices=GoalStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the goal has got to."},
    )


class SafetyPlanForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    plan = forms.CharField(
        label="Safety plan",
        help_text="What she will do and who she can call if she is in danger. Agree every part of it with her.",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Write the safety plan."},
    )


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of contact?",
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of contact it was."},
    )
    on = DatePartsField(label="Date of the contact", help_text="For example, 27 3 2026")
    minutes = _narrow(
        forms.IntegerField(
            label="How many minutes?",
            min_value=0,
            max_value=24 * 60,
            error_messages={
                "required": "Enter how many minutes it took.",
                "invalid": "Enter the minutes as a whole number, like 30.",
                "min_value": "Enter 0 or more minutes.",
                "max_value": "A contact cannot last more than a day (1440 minutes).",
            },
        ),
        "3",
    )
    note = forms.CharField(label="Note", required=False, max_length=5000, widget=forms.Textarea)
    unsafe_reason = forms.CharField(
        label="If you used a way she said is not safe, why?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, unsafe: Sequence[str] = (), **kwargs) -> None:
        """`unsafe`: the labels of the ways she said are not safe; without any, the reason is not asked."""
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if unsafe:
            self.fields["unsafe_reason"].help_text = (
                "She said these are not safe: " + ", ".join(unsafe).lower() + ". A reason is needed to log one."
            )
        else:
            del self.fields["unsafe_reason"]


class DocumentForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Give the document a title."})
    kind = forms.ChoiceField(
        label="Kind of document",
        choices=choices_with_blank(DocumentKind.choices, "Choose a kind"),
        error_messages={"required": "Choose what kind of document it is."},
    )
    dated = DatePartsField(label="Date on the document", required=False, past_only=False)
    held_at = forms.CharField(
        label="Where is it held?",
        help_text="For example, she keeps the original; a copy is with her solicitor. No files are stored here.",
        max_length=500,
        error_messages={"required": "Say where the document is held."},
    )


_SCALE_QUESTIONS = {
    "feels_safe": ("How safe does she feel?", "1 is not safe at all, 10 is completely safe."),
    "wellbeing": ("How is her wellbeing?", "1 is very poor, 10 is very good."),
    "quality_of_life": ("How is her quality of life?", "1 is very poor, 10 is very good."),
    "confidence_help": (
        "How confident is she that she knows where to get help?",
        "1 is not confident at all, 10 is completely confident.",
    ),
}


class MeasuresForm(forms.Form):
    """The outcome questions (DOMAIN.md): per abuse type stopped / reduced / unchanged / worse, and four 1-10 scales.

    Either every question is answered, or the form says that she did not answer and why.
    """

    answered = forms.ChoiceField(
        label="Did she answer the outcome questions?",
        choices=[(ANSWERED, "Yes"), *NotAnswered.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether she answered the outcome questions."},
    )
    abuse_question = "How has it changed?"

    def __init__(self, *args, abuse_types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The answers are required exactly when she answered; an empty form shows them as required too, so no
        # question is labelled "optional".
        required = not self.is_bound or self.data.get(self.add_prefix("answered")) == ANSWERED
        for code in abuse_types:
            if code in AbuseType.values:
                self.fields[f"abuse_{code}"] = forms.ChoiceField(
                    label=f"{AbuseType(code).label}: {self.abuse_question.lower()}",
                    choices=AbuseChange.choices,
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages={
                        "required": "Choose whether it has stopped, reduced, stayed the same or got worse."
                    },
                )
        for name in SCALES:
            label, hint = _SCALE_QUESTIONS[name]
            self.fields[name] = _narrow(
                forms.IntegerField(
                    label=label,
                    help_text=hint,
                    required=required,
                    min_value=SCALE_MIN,
                    max_value=SCALE_MAX,
                    error_messages={
                        "required": f"Enter her answer, from {SCALE_MIN} to {SCALE_MAX}.",
                        "invalid": f"Enter a whole number from {SCALE_MIN} to {SCALE_MAX}.",
                        "min_value": f"Enter a number from {SCALE_MIN} to {SCALE_MAX}.",
                        "max_value": f"Enter a number from {SCALE_MIN} to {SCALE_MAX}.",
                    },
                ),
                "2",
            )

    def _abuse_fields(self) -> list[str]:
        return [name for name in self.fields if name.startswith("abuse_")]

    def measures(self) -> Measures | None:
        """Her answers, or None if the form did not say whether she answered."""
        answered = self.cleaned_data.get("answered")
        if not answered:
            return None
        if answered != ANSWERED:
            return Measures(not_answered=answered)
        return Measures(
            abuse={name.removeprefix("abuse_"): self.cleaned_data[name] for name in self._abuse_fields()},
            **{name: self.cleaned_data[name] for name in SCALES},
        )


class StartMeasuresForm(MeasuresForm):
    abuse_question = "How is it now, compared with before she came to the service?"


class CloseForm(VersionedForm, MeasuresForm):
    """Closure needs a reason and her closing measures (or an explicit "she did not answer"): together, on one page,
    so a case cannot close without them."""

    abuse_question = "How has it changed since support began?"

    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case is closing."},
    )

    manager_reason = forms.CharField(
        label="Your reason for confirming the closure",
        help_text="Needed when she is high risk, MARAC actions are open or goals have not been started.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give your reason for closing the case now."},
    )

    def __init__(self, *args, asks_manager: bool = False, needs_reason: bool = False, **kwargs) -> None:
        """`needs_reason`: the closure needs a manager, so the reason is asked (and required); `asks_manager`: the
        user is not a manager of the case, so the reason is theirs, for the manager who will confirm."""
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["manager_reason"]
        else:
            self.fields["manager_reason"].required = True
            if asks_manager:
                self.fields["manager_reason"].label = "Why should the case close now?"
                self.fields["manager_reason"].help_text = "Your service manager reads this before confirming."
        self.fields["answered"].label = "Did she answer the closing outcome questions?"
        self.fields["answered"].error_messages["required"] = CLOSING_MEASURES_NEEDED
        self.order_fields(["version", "reason", "answered"])


class ReferOnForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label="What support does she need next?",
        help_text="The hub will find the service that fits her best. Select all that apply.",
        choices=[(v, ServiceType(v).label) for v in ROUTABLE_SERVICE_TYPES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the support she needs next."},
    )
    note = forms.CharField(
        label="Anything the hub should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )
    consent = forms.BooleanField(
        label="She agrees to being referred on",
        error_messages={"required": "She must agree to being referred on before you send the referral."},
    )


class ClosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Do you confirm the closure?",
        choices=[("confirm", "Yes, close the case"), ("refuse", "No, the case stays open")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to confirm or refuse the closure."},
    )
    note = forms.CharField(
        label="Your reason",
        help_text="The caseworker reads it on the case. Both answers need a reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give your reason."},
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label="Why is the case reopening?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why the case is reopening."},
    )
