from __future__ import annotations

from django import forms

from carehub.core.forms import DatePartsField
from carehub.marac.models import MaracOutcome


class MeetingForm(forms.Form):
    meeting_date = DatePartsField(label="Meeting date", past_only=False)


class ActionForm(forms.Form):
    text = forms.CharField(label="Action agreed", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    owner = forms.CharField(label="Agency responsible", max_length=200)
    due_on = DatePartsField(label="Due date", past_only=False)


class DoneForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput, max_length=20)  # its public identifier


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=MaracOutcome.choices, widget=forms.RadioSelect)


FORMS = {"meeting": MeetingForm, "action": ActionForm, "done": DoneForm, "outcome": OutcomeForm}
