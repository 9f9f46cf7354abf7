"""Forms of the rights pages. Choices come from the models' vocabularies; nothing here decides who may do what."""

from __future__ import annotations

from django import forms
from django.db import models

from carehub.core.forms import DatePartsField
from carehub.people.models import Identity, Survivor
from carehub.people.monitoring import EQUALITY_FIELDS, IMMIGRATION_FIELDS
from carehub.rights.models import ErasureGround


class FindForm(forms.Form):
    reference = forms.CharField(
        label="Her referral reference or record number",
        help_text="For example CH-BCDF-2345, or the 12-character number of her record.",
        max_length=40,
    )


class AccessOpenForm(forms.Form):
    received_on = DatePartsField(label="Date the request was received", past_only=True)
    redact_staff_names = forms.BooleanField(
        label="Leave our staff's names out of the pack",
        required=False,
        help_text="Your organisation's choice for this request. You can change it when you review the pack.",
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="How many further months, in all?",
        choices=[(1, "One month"), (2, "Two months")],
        coerce=int,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Why the request needs longer", widget=forms.Textarea, max_length=2000)


class ReviewForm(forms.Form):
    passages = forms.CharField(
        label="Passages to redact, one per line",
        help_text="Each is taken out wherever it appears in the pack's notes: another person's name, a detail "
        "that would identify someone else.",
        widget=forms.Textarea,
        required=False,
        max_length=20_000,
    )
    redact_staff_names = forms.BooleanField(label="Leave our staff's names out of the pack", required=False)
    withheld = forms.MultipleChoiceField(required=False, label="Items to withhold whole")

    def __init__(self, *args, item_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withheld"].choices = [(i, i) for i in item_ids]

    @property
    def passage_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["passages"].splitlines() if line.strip()]


class ErasureOpenForm(forms.Form):
    received_on = DatePartsField(label="Date the request was received", past_only=True)


class ErasureDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: erase her"), ("refuse", "Refuse: her records must be kept")],
        widget=forms.RadioSelect,
    )
    ground = forms.ChoiceField(label="On what ground?", choices=ErasureGround.choices, widget=forms.RadioSelect)
    explanation = forms.CharField(
        label="Your explanation",
        widget=forms.Textarea,
        required=False,
        max_length=4000,
        help_text="Kept sealed with her records; it goes when she is erased.",
    )


# Why her details are being corrected: a fixed choice, so the audit trail's reason can never carry a value.
RECTIFY_REASONS = [
    ("She asked for her details to be corrected", "She asked for her details to be corrected"),
    ("Her details were recorded wrongly", "Her details were recorded wrongly"),
    ("Her details have changed", "Her details have changed"),
]
IDENTITY_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "known_as": "Known as",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "postcode": "Postcode",
}


class RectifyForm(forms.Form):
    """Her identity and monitoring answers, filled in as they stand; what she corrects is saved."""

    def __init__(self, *args, immigration: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in IDENTITY_LABELS.items():
            self.fields[name] = forms.CharField(label=label, required=False, max_length=200)
        self.fields["date_of_birth"] = DatePartsField(label="Date of birth", required=False)
        names = EQUALITY_FIELDS + (IMMIGRATION_FIELDS if immigration else ())
        for name in names:
            model_field = Survivor._meta.get_field(name)
            label = str(model_field.verbose_name).capitalize()
            if isinstance(model_field, models.BooleanField):
                if model_field.null:
                    self.fields[name] = forms.TypedChoiceField(
                        label=label,
                        choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")],
                        required=False,
                        coerce=lambda v: {"yes": True, "no": False}.get(v),
                        empty_value=None,
                    )
                else:
                    self.fields[name] = forms.BooleanField(label=label, required=False)
            elif model_field.choices:
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=[("", "Not recorded"), *model_field.choices], required=False
                )
            else:
                self.fields[name] = forms.CharField(label=label, required=False, max_length=model_field.max_length)
        self.fields["reason"] = forms.ChoiceField(label="Why", choices=RECTIFY_REASONS, widget=forms.RadioSelect)
        self.monitoring_names = names

    @staticmethod
    def initial_for(survivor: Survivor, identity: Identity, *, immigration: bool) -> dict:
        initial = {name: getattr(identity, name) for name in IDENTITY_LABELS}
        initial["date_of_birth"] = identity.date_of_birth
        for name in EQUALITY_FIELDS + (IMMIGRATION_FIELDS if immigration else ()):
            value = getattr(survivor, name)
            if value is True:
                value = "yes" if Survivor._meta.get_field(name).null else True
            elif value is False and Survivor._meta.get_field(name).null:
                value = "no"
            initial[name] = value
        return initial

    def identity(self) -> Identity:
        data = self.cleaned_data
        return Identity(
            **{name: data[name].strip() for name in IDENTITY_LABELS}, date_of_birth=data.get("date_of_birth")
        )

    def monitoring(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.monitoring_names}
