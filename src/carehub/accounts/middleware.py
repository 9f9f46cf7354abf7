"""Request-wide safety: second factor for staff, and no caching of anything Care Hub serves."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

# Pages a signed-in user must reach before the second factor is verified.
_OTP_EXEMPT_URL_NAMES = {"accounts:otp_verify", "accounts:otp_setup", "accounts:logout"}


class SecondFactorRequiredMiddleware:
    """When OTP_REQUIRED, a signed-in user without a verified second factor can reach only the OTP pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if settings.OTP_REQUIRED and user is not None and user.is_authenticated and not user.is_verified():
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            public = getattr(getattr(match.func, "access_rule", None), "public", False)
            if name not in _OTP_EXEMPT_URL_NAMES and not public:
                return redirect("accounts:otp_verify")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing Care Hub serves may sit in a shared computer's browser cache or history snapshot."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store, max-age=0"
            response["Pragma"] = "no-cache"
        return response
