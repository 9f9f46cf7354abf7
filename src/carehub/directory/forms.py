"""Forms of the directory's pages: an administrator's service form, and a manager's capacity form."""

from __future__ import annotations

from django import forms

from carehub.accounts.models import Organisation
from carehub.core.choices import AbuseType, Language, ServiceType
from carehub.core.london import BOROUGH_CHOICES

YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.TypedChoiceField):
    """A yes/no question as two radios (GOV.UK asks rather than offers a lone checkbox), cleaned to a bool."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=YES_NO, coerce=lambda value: value == "yes", empty_value=None, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value

    def bound_data(self, data, initial):
        return data


FTE_NUMBER = "Enter the number of caseworkers as a number, like 2.5."


def caseworker_fte_field() -> forms.DecimalField:
    """Caseworkers as full-time equivalents, the same on a manager's capacity form and an administrator's service
    form (one field, one set of checks and messages); blank means "not recorded", never zero."""
    return forms.DecimalField(
        label="Caseworkers (full-time equivalent)",
        required=False,
        min_value=0,
        max_value=500,
        max_digits=5,
        decimal_places=1,
        # GOV.UK asks for numbers in a text box (a number box changes under a scrolling wheel and hides letters).
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        help_text="Full-time equivalent caseworkers, e.g. 2.5. Leave empty if you do not know.",
        error_messages={
            "invalid": FTE_NUMBER,
            "max_digits": FTE_NUMBER,
            "max_whole_digits": FTE_NUMBER,
            "max_decimal_places": "Enter the number of caseworkers to one decimal place at most, like 2.5.",
            "min_value": "The number of caseworkers cannot be less than 0.",
            "max_value": "The number of caseworkers must be 500 or fewer.",
        },
    )


class ServiceForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    name = forms.CharField(label="Name of the service", max_length=200)
    service_type = forms.ChoiceField(label="Type of service", choices=ServiceType.choices, widget=forms.RadioSelect)
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    specialisms = forms.MultipleChoiceField(
        label="Specialisms", choices=AbuseType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label="Languages its staff speak", choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    covers_all_london = YesNoField(label="Does it cover all of London?")
    boroughs = forms.MultipleChoiceField(
        label="Boroughs it covers",
        choices=BOROUGH_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if it covers all of London.",
    )
    min_age = forms.IntegerField(label="Youngest age it supports", min_value=0, max_value=120, initial=16)
    max_age = forms.IntegerField(label="Oldest age it supports", min_value=0, max_value=120, required=False)
    accepts_women = YesNoField(label="Does it support women?", initial=True)
    accepts_men = YesNoField(label="Does it support men?", initial=False)
    accepts_nrpf = YesNoField(label="Does it support people with No Recourse to Public Funds?", initial=True)
    capacity = forms.IntegerField(
        label="Capacity", min_value=0, help_text="How many open cases the service can hold at once."
    )
    caseworker_fte = caseworker_fte_field()
    current_wait_days = forms.IntegerField(label="Typical wait, in days", min_value=0, initial=0)
    accepting_referrals = YesNoField(label="Is it taking referrals now?", initial=True)
    marac_linked = YesNoField(
        label="Do its workers hold high-risk cases and represent them at MARAC?",
        initial=False,
        help_text="IDVA services always count as such.",
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea,
        required=False,
        help_text="A refuge's address is shown only to its own organisation.",
    )

    def __init__(self, *args, organisations, editing: bool = False, address_hidden: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if address_hidden:
            self.fields["address"].label = "New address"
            self.fields[
                "address"
            ].help_text = (
                "The address is shown only to the refuge's own organisation. Leave this empty to keep it as it is."
            )
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "Choose an organisation"
        if editing:
            del self.fields["organisation"]  # a service does not move between organisations

    def clean(self) -> dict:
        data = super().clean()
        if data.get("covers_all_london") is False and not data.get("boroughs"):
            self.add_error("boroughs", "Select the boroughs it covers, or answer that it covers all of London.")
        if data.get("covers_all_london"):
            data["boroughs"] = []
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", "The oldest age must be the same as or more than the youngest.")
        return data


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Capacity", min_value=0, help_text="How many open cases the service can hold at once."
    )
    caseworker_fte = caseworker_fte_field()
    accepting_referrals = YesNoField(label="Is it taking referrals now?")
