"""Form fields that render as GOV.UK components and speak plainly when the input is wrong."""

from __future__ import annotations

import datetime as dt

from django import forms


class DatePartsWidget(forms.MultiWidget):
    """Day, month and year boxes (the GOV.UK date input): easier than one box with a format to guess."""

    template_name = "govuk/widgets/date_parts.html"
    govuk_kind = "date"

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "month": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DatePartsField(forms.MultiValueField):
    widget = DatePartsWidget

    def __init__(self, *, past_only: bool = True, **kwargs) -> None:
        self.past_only = past_only
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            if self.required:
                raise forms.ValidationError(f"Enter the {self.label.lower()}.")
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise forms.ValidationError(f"The {self.label.lower()} must include a {' and '.join(missing)}.")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"The {self.label.lower()} must be a real date, for example 27 3 1987.")
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"The {self.label.lower()} must be a real date.") from None
        if self.past_only and value > dt.date.today():
            raise forms.ValidationError(f"The {self.label.lower()} must be in the past.")
        if value.year < 1900:
            raise forms.ValidationError(f"The {self.label.lower()} must be after 1900.")
        return value


def choices_with_blank(choices, blank_label: str = "Choose an option") -> list[tuple[str, str]]:
    return [("", blank_label), *choices]
