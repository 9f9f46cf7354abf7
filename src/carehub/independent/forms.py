"""The independent advisory service's forms: her reporting decision, a complaint, its outcome, a disclosure."""

from __future__ import annotations

from django import forms

from carehub.core.forms import DatePartsField
from carehub.independent.models import ComplaintOutcome, ReportingDecision
from carehub.referrals.forms import TriageForm

OUTCOME_CHOICES = ComplaintOutcome.choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What has she decided about reporting?", choices=ReportingDecision.choices, widget=forms.RadioSelect
    )
    decided_on = DatePartsField(label="Date of the decision")


class ComplaintForm(forms.Form):
    made_to = forms.ChoiceField(label="Complaint or report made to", choices=ReportingDecision.choices[1:-1])
    made_on = DatePartsField(label="Date made")


class OutcomeForm(forms.Form):
    complaint = forms.CharField(widget=forms.HiddenInput, max_length=20)  # its public identifier
    outcome = forms.ChoiceField(label="Outcome", choices=ComplaintOutcome.choices)
    outcome_on = DatePartsField(label="Date of the outcome")


class DisclosureForm(forms.Form):
    recipient = forms.CharField(label="Shared with", max_length=200)
    purpose = forms.CharField(label="Why", max_length=300)
    what = forms.CharField(label="What was shared", widget=forms.Textarea, max_length=4000)
    consent_given = forms.BooleanField(label="She has agreed to this disclosure", required=False)
    consent_recorded_on = DatePartsField(label="Date she agreed")


# What she needs was settled when the referral came straight to this service; the adviser's form asks about risk.
SUPPORT_FIELDS = ("needs", "wants_by_and_for", "language", "interpreter_needed", "worker_gender", "has_nrpf", "age")


class SealedRiskForm(TriageForm):
    """The DASH checklist and the MARAC questions, as the hub asks them, for the adviser of a sealed referral."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in SUPPORT_FIELDS:
            del self.fields[name]
