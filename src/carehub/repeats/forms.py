"""A hub worker's decision on a suggested earlier referral, and the undoing of a wrong link."""

from __future__ import annotations

from django import forms

from carehub.repeats.models import Outcome


class UndoForm(forms.Form):
    decision = forms.CharField(max_length=20)  # the decision's public identifier
    reason = forms.CharField(max_length=2000, required=False)


class DecisionForm(forms.Form):
    earlier = forms.CharField(max_length=20)  # the earlier referral's reference, as shown with the suggestion
    decision = forms.ChoiceField(choices=Outcome.choices)

    def is_rejection(self) -> bool:
        """She is not the same person (call after is_valid)."""
        return self.cleaned_data["decision"] == Outcome.REJECTED
