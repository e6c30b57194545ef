"""Answers for the site's own scripts: JSON bodies, refusals as JSON with their status."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _


def json_refusals(view):
    """Answer `view`'s refusals as JSON the scripts can show: `{"error": "..."}` with
    404 for missing and invisible alike (the message never says which) and 403 with
    the permission's own refusal for visible but forbidden objects."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            message, status = _("Not found, or you may not see it."), 404
        except PermissionDenied as error:
            message, status = str(error) or _("You may not do this."), 403
        return JsonResponse({"error": message}, status=status)

    return wrapper
