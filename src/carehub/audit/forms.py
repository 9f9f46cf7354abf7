from __future__ import annotations

from django import forms

from carehub.audit.models import Action


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label="Username", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *Action.choices])
    object_type = forms.CharField(label="Record type", required=False, max_length=40)
    object_id = forms.CharField(label="Record reference or number", required=False, max_length=40)
    survivor_id = forms.IntegerField(label="Survivor number", required=False, min_value=1)
    date_from = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    date_to = forms.DateField(label="To (YYYY-MM-DD)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return data
