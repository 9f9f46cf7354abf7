from __future__ import annotations

from django import forms

from carehub.audit.models import Action, EventType
from carehub.core import public_ids


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *Action.choices])
    # Every type there is, not the types found in the trail: a list drawn from the events would tell the hub's
    # auditor which kinds of sealed event had ever happened.
    event_type = forms.ChoiceField(label="Event", required=False, choices=[("", "Any event"), *EventType.choices])
    object_type = forms.CharField(label="Record type", required=False, max_length=40)
    object_id = forms.CharField(label="Record reference or ID", required=False, max_length=40)
    survivor = forms.CharField(label="Survivor ID (as shown in the trail)", required=False, max_length=40)
    date_from = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False)

    def clean_object_id(self) -> str:
        return self.cleaned_data["object_id"].strip()

    def clean_survivor(self) -> str:
        """A survivor's public identifier as typed or read out (dashes, spaces, any case), in its stored form."""
        typed = self.cleaned_data["survivor"]
        if not typed.strip():
            return ""
        value = public_ids.normalise(typed)
        if len(value) != public_ids.LENGTH or not set(value) <= set(public_ids.ALPHABET):
            # Never echo what was typed: the message is the same whatever it was.
            raise forms.ValidationError("Enter a survivor ID as shown in the trail, like 7K3Q-M9XD-2PRA.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data
