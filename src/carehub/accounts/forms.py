from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
