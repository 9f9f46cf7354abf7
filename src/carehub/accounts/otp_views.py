"""The TOTP second factor: set up once with an authenticator app, then asked for at every sign-in."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from carehub.accounts import policy, services

# Where the user was going when the second factor was asked for (set by SecondFactorRequiredMiddleware).
NEXT_SESSION_KEY = "carehub_otp_next"

WRONG_CODE = "That code is not right or has expired. Enter the code your app shows now."
WRONG_SETUP_CODE = "That code is not right. Check the time on your phone is correct, then enter the new code."
TOO_MANY_CODES = "There have been too many wrong codes. Wait a minute, then enter the code your app shows now."


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=12,
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app.",
            "max_length": "The code has 6 digits.",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input govuk-input--width-5",
            }
        ),
    )

    def clean_token(self) -> str:
        # Apps show the code as "123 456"; people type it that way.
        token = "".join(self.cleaned_data["token"].split())
        if len(token) != 6 or not token.isdigit():
            raise forms.ValidationError("The code has 6 digits, for example 123456.")
        return token


def _signed_in_only(view):
    """Both pages are reached before the second factor is verified, so they need only a signed-in user."""
    return policy.route(public=True)(view)


def _code_error(request: HttpRequest, device: TOTPDevice, token: str, wrong: str) -> str | None:
    """Check the code against this one device; the message to show, or None when it was right.

    `verify_token` locks the device row, so one code cannot be used twice by racing requests, and django-otp
    slows down guessing by refusing codes for a while after each wrong one.
    """
    allowed, _ = device.verify_is_allowed()
    if allowed and verify_token(request.user, device.persistent_id, token) is not None:
        return None
    services.second_factor_failed(user=request.user, too_many=not allowed)
    return wrong if allowed else TOO_MANY_CODES


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    """Mark the session verified, under a new session key since it now carries more rights, and go on."""
    otp_login(request, device)
    request.session.cycle_key()
    wanted = request.session.pop(NEXT_SESSION_KEY, "")
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(wanted if wanted and safe else reverse("home"))


@_signed_in_only
def verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_verified():
        return redirect("home")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _code_error(request, device, form.cleaned_data["token"], WRONG_CODE)
        if error is None:
            return _verified(request, device)
        form.add_error("token", error)
    return render(request, "accounts/otp_verify.html", {"form": form})


@_signed_in_only
def setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    # Once a device is confirmed, only that device can verify: a stolen password must not enrol a second one.
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _code_error(request, device, form.cleaned_data["token"], WRONG_SETUP_CODE)
        if error is None:
            return _confirm(request, device)
        form.add_error("token", error)
    context = {"form": form, "qr_svg": _qr_svg(device.config_url), "setup_key": _setup_key(device)}
    return render(request, "accounts/otp_setup.html", context)


def _setup_key(device: TOTPDevice) -> str:
    """The secret as the text apps accept when a QR code cannot be scanned (a screen reader user, a broken camera),
    in groups of four so it can be read and typed."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _confirm(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    services.second_factor_confirm(user=request.user, device=device)
    messages.success(request, "Your authenticator app is set up.")
    return _verified(request, device)


def _qr_svg(config_url: str) -> str:
    """The QR code as inline SVG: no image URL that could carry the secret, and nothing the CSP would block."""
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage)
    # Safe: the markup is generated by qrcode from a URL it encodes as path data, never echoed.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
