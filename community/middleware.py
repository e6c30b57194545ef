"""Per-request setup: the permission cache's scope, who the person is, their language
and time zone."""

import zoneinfo

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils import timezone, translation

from . import permissions


class PermissionScopeMiddleware:
    """Open one permission cache for the whole request (`permissions.operation()`):
    views, services, queries, context processors and templates share it, and it ends
    with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with permissions.operation():
            return self.get_response(request)


class PersonMiddleware(AuthenticationMiddleware):
    """Django's authentication, with the person read at once instead of on first use.

    Every page asks who the person is (their language and time zone, then the
    permission checks), so reading it lazily saves nothing, while the lazy wrapper
    Django puts around `request.user` costs a little on each of the hundreds of
    attribute reads a page's permission checks make (a tenth of a thread page's CPU).
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = auth.get_user(request)


class UserPreferencesMiddleware:
    """Apply a signed-in user's preferred language and time zone to each request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.language and user.language != translation.get_language():
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        if user.is_authenticated and user.language:
            response.headers.setdefault("Content-Language", user.language)
        return response
