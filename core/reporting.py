"""The debug 500 page and error e-mails: never echo the caller's credentials."""

from __future__ import annotations

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN_META = {"HTTP_AUTHORIZATION", "HTTP_COOKIE", "HTTP_X_API_KEY", "HTTP_PROXY_AUTHORIZATION"}


class CredentialHidingReporterFilter(SafeExceptionReporterFilter):
    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {key: self.cleansed_substitute if key in HIDDEN_META else value for key, value in meta.items()}


class CredentialHidingExceptionReporter(ExceptionReporter):
    """The COOKIES section is not run through the filter: blank its values too (the session cookie signs in)."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "request_COOKIES_items" in data:
            substitute = self.filter.cleansed_substitute
            data["request_COOKIES_items"] = [(name, substitute) for name, _ in data["request_COOKIES_items"]]
        return data
