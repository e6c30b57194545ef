"""`{% desk_panel item %}`: the innovation desk's part of a challenge's or an offer's
draft page (the refusal reason, who helps, asking the desk, taking or ending the help),
for the challenge and offer pages to include in one line."""

from django import template

from .. import permissions

register = template.Library()


@register.inclusion_tag("innovation/desk/includes/draft_panel.html", takes_context=True)
def desk_panel(context, item):
    user = context["request"].user
    return {
        "item": item,
        "kind": "challenge" if item._meta.model_name == "challenge" else "offer",
        "can_request_help": permissions.can_request_help(user, item),
        "can_take": permissions.can_take_draft(user, item),
        "can_release": permissions.can_release_draft(user, item),
        "csrf_token": context.get("csrf_token"),
    }
