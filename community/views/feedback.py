"""Shared view plumbing: flash a service's or a form's errors, go back to a safe `next` URL,
answer 429 for a rate limit or slow mode, record reading for a page's script or form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from ..ratelimit import RateLimited


def is_fetch(request):
    """Requests sent by the site's scripts (they want a status, not a page)."""
    return request.headers.get("X-Requested-With") == "fetch"


def reading_recorded(request, thread, record, done):
    """Answer a "read up to" request for `thread`: `record(number)` stores it (a
    service that may refuse with ValidationError); a script gets 204 or 400 with the
    reason, a form a redirect to the thread with `done` or the reason."""
    try:
        record(request.POST.get("number"))
    except ValidationError as error:
        if is_fetch(request):
            return HttpResponse(" ".join(error.messages), status=400)
        flash_errors(request, error)
        return redirect(thread)
    if is_fetch(request):
        return HttpResponse(status=204)
    messages.success(request, done)
    return redirect(thread)


def flash_errors(request, error):
    """Show every message of a service's ValidationError on the next page."""
    for message in error.messages:
        messages.error(request, message)


def flash_form_errors(request, form):
    """Show every error of an invalid form on the next page (forms posted from a page
    that does not show them)."""
    for errors in form.errors.values():
        for message in errors:
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


def refusal_status(error):
    """The status a page showing `error` as a form error answers: 429 (with
    `Retry-After`) when the person must wait, else 200."""
    return 429 if isinstance(error, RateLimited) else 200


def with_retry_after(response, error):
    """`response` with `Retry-After` when `error` says how long to wait."""
    if isinstance(error, RateLimited) and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def too_many(request, error, back_url):
    """The 429 page: what was refused and when to try again, and a way back."""
    response = render(
        request,
        "429.html",
        {"message": " ".join(error.messages), "back_url": back_url},
        status=429,
    )
    return with_retry_after(response, error)
