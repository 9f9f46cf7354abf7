from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from carehub.accounts.models import Organisation
from carehub.core.choices import Community, Role

# One message for an unknown username and a wrong password alike: telling them apart would let anyone find out
# which usernames exist, and so who works where.
INVALID_SIGN_IN = "The username or password is not right. Check them and try again."


class SignInForm(AuthenticationForm):
    """Django's sign-in form with messages a person understands and that never say which part was wrong."""

    error_messages = {
        "invalid_login": INVALID_SIGN_IN,
        "inactive": INVALID_SIGN_IN,
    }

    username = forms.CharField(
        label="Username",
        max_length=150,
        error_messages={"required": "Enter your username."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autofocus": True,
                "class": "govuk-input govuk-!-width-two-thirds",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Enter your password."},
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "govuk-input govuk-!-width-two-thirds"}
        ),
    )


# --- administration ------------------------------------------------------------------------------------------------


class OrganisationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    slug = forms.SlugField(
        label="Short name for web addresses",
        max_length=60,
        help_text="Lower-case letters, numbers and hyphens, for example southside-womens-aid. It cannot be changed.",
    )
    kind = forms.ChoiceField(label="Kind of organisation", choices=Organisation.Kind.choices, widget=forms.RadioSelect)
    led_by_and_for = forms.MultipleChoiceField(
        label="Led by and for",
        choices=Community.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a 'led by and for' provider: the communities it is led by and serves.",
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == Organisation.Kind.BY_AND_FOR and not data.get("led_by_and_for"):
            self.add_error("led_by_and_for", "Select the communities a 'led by and for' provider is led by and serves.")
        return data


class InviteForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150, help_text="What they will type to sign in.")
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="E-mail address", help_text="The invitation link is sent here.")
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "Choose an organisation"


class MembershipForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    role = forms.ChoiceField(label="Role", choices=Role.choices)

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "Choose an organisation"


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiKeyForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    name = forms.CharField(
        label="Name of the key", max_length=100, help_text="What uses it, for example: case management system."
    )

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = "Choose an organisation"


class ChoosePasswordForm(SetPasswordForm):
    """Django's form (it runs the password validators) with words a new user understands."""

    new_password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words together make a strong password.",
    )
    new_password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
