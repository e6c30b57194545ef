"""Shared view plumbing: flash a service's errors, go back to a safe `next` URL."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def flash_errors(request, error):
    """Show every message of a service's ValidationError on the next page."""
    for message in error.messages:
        messages.error(request, message)


def safe_next(request, default):
    """The form's or query's `next` when it points at this site, else `default`."""
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


def redirect_back(request, default):
    """Redirect to a safe `next` from the form, else to `default`."""
    return redirect(safe_next(request, default))
