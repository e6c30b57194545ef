"""What every workspace view shares: how a workspace URL is entered, the context of
the pages extending `workspaces/base_workspace.html`, the fragment protocol of the
pages' scripts, the one JSON error shape, service errors on forms, and private files.

- Entry: `workspace_view` resolves `workspace_id` through `permissions.access_workspace`,
  so anonymous visitors, strangers and missing ids get the same 404 on every workspace
  URL (DESIGN: invisible objects answer 404).
- Fragments: a page's script asks with `X-Requested-With: fetch` and gets
  `{"html": <the fragment>, ...}` (`fragment_or_page`); the page itself otherwise.
- Actions sent by scripts (`Accept: application/json`) answer errors as
  `{"errors": {field or "__all__": [messages]}, "code": <ValidationError code or null>}`.
"""

from functools import wraps

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from community.uploads import private_file_response
from community.views.feedback import flash_errors

from .. import permissions

__all__ = [
    "flash_errors",
    "form_add_errors",
    "fragment_or_page",
    "json_errors",
    "private_file_response",
    "refusals_as_json",
    "wants_fragment",
    "wants_json",
    "workspace_context",
    "workspace_view",
]


# --- entry ------------------------------------------------------------------------------


def workspace_view(view):
    """Resolve `workspace_id` (404 for anonymous visitors, strangers and missing ids
    alike) and call `view(request, workspace, ...)`."""

    @wraps(view)
    def wrapper(request, workspace_id, *args, **kwargs):
        workspace = permissions.access_workspace(request.user, workspace_id)
        return view(request, workspace, *args, **kwargs)

    return wrapper


def workspace_context(request, workspace, active_tab, **extra):
    """What every page extending `workspaces/base_workspace.html` needs; the flags are
    the permissions' answers (templates never derive a permission themselves)."""
    user = request.user
    return {
        "workspace": workspace,
        "active_tab": active_tab,
        "community": workspace.community,
        "is_lead": permissions.is_lead(user, workspace),
        "can_manage": permissions.can_manage_workspace(user, workspace),
        "can_contribute": permissions.can_contribute(user, workspace),
        "can_discuss": permissions.can_discuss_task(user, workspace),
        "can_export": permissions.can_export_workspace(user, workspace),
        "participant": permissions.participant_of(user, workspace),
        "is_staff_viewer": permissions.is_site_staff(user),
        **extra,
    }


# --- fragments and JSON -----------------------------------------------------------------


def wants_fragment(request):
    """The page's own script asks for its live fragment."""
    return request.headers.get("X-Requested-With") == "fetch"


def wants_json(request):
    """A script sends an action and reads the answer as JSON."""
    return "application/json" in request.headers.get("Accept", "")


def fragment_or_page(request, page, fragment, context, **extra):
    """The page, or for its script `{"html": <fragment>, **extra}`."""
    if wants_fragment(request):
        response = JsonResponse(
            {"html": render_to_string(fragment, context, request=request), **extra}
        )
    else:
        response = render(request, page, context)
    patch_vary_headers(response, ["X-Requested-With"])
    return response


def errors_by_field(error):
    """A ValidationError as {field: [messages]} ("__all__" for none)."""
    if hasattr(error, "error_dict"):
        return {field: list(found) for field, found in error.message_dict.items()}
    return {NON_FIELD_ERRORS: list(error.messages)}


def json_errors(errors, *, status=400, code=None):
    """The one JSON error shape of workspace actions: `errors` is a ValidationError, a
    message, or {field: [messages]}."""
    if isinstance(errors, str):
        errors = {NON_FIELD_ERRORS: [errors]}
    elif not isinstance(errors, dict):
        code = code or getattr(errors, "code", None)
        errors = errors_by_field(errors)
    return JsonResponse({"errors": errors, "code": code}, status=status)


def refusals_as_json(view):
    """For scripts (`wants_json`), answer the view's refusals in the JSON error shape:
    404 for missing and invisible alike, 403 with the permission's refusal; pages get
    the usual error pages."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if not wants_json(request):
                raise
            return json_errors(_("Not found, or you may not see it."), status=404)
        except PermissionDenied as error:
            if not wants_json(request):
                raise
            message = str(error) or _("You may not do this.")
            return json_errors(message, status=403, code="forbidden")

    return wrapper


def form_add_errors(form, error, *, renamed=None):
    """Show a service's ValidationError (or {field: [messages]}) on `form` in place of
    the form's own errors for those fields: next to the field it names (`renamed` maps
    the service's field names to the form's), on top otherwise."""
    errors = error if isinstance(error, dict) else errors_by_field(error)
    placed = {}
    for field, found in errors.items():
        field = (renamed or {}).get(field, field)
        if field not in form.fields:
            field = NON_FIELD_ERRORS
        placed.setdefault(field, []).extend(found)
    form_errors = form.errors  # validates the form first, when it was not
    for field, found in placed.items():
        form_errors[field] = form.error_class(
            found, error_class="nonfield" if field == NON_FIELD_ERRORS else None
        )
