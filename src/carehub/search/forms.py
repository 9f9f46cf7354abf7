from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Reference, name and date of birth, phone number, or postcode and name",
        help_text="For example CH-BCDF-GHJK, or Amina Begum 17/05/1990, or 07700 900123, or E1 6AN Begum.",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
    )
