from __future__ import annotations

from django import forms


class HoldForm(forms.Form):
    reference = forms.CharField(
        label="Referral reference",
        help_text="Any of her referrals, for example CH-7Q2M-K8PD.",
        max_length=20,
        error_messages={"required": "Enter the reference of one of her referrals."},
    )
    reason = forms.CharField(
        label="Why her records must be kept",
        help_text="The order, review or claim that requires them. Do not write her name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Give the reason for the hold."},
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why the hold can be lifted",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Give the reason for lifting the hold."},
    )
