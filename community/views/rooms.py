"""Views for topic rooms: open a room, the chat page and its older messages, send,
read positions, promote."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.rooms import PromoteForm, RoomForm, RoomMessageForm
from ..models import HeldPost, Thread
from ..queries import direct as direct_queries
from ..queries import drafts as draft_queries
from ..queries import posts as post_queries
from ..queries import rooms as room_queries
from ..queries import unread as unread_queries
from ..services import rooms as room_services
from ..services import threads
from ..services.rules import HELD_MESSAGE
from .addresses import thread_in_its_community
from .feedback import (
    reading_recorded,
    refusal_status,
    with_retry_after,
)
from .fetch import json_refusals
from .threads import posting_rules_context

# Title suggested when a message becomes a thread: its first words.
SUGGESTED_TITLE_LENGTH = 80


def _before(request):
    """The post number of `?before=`, or None when absent or not a positive number."""
    value = request.GET.get("before", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _message_form(*, initial=None):
    return RoomMessageForm(initial={"client_id": uuid.uuid4(), **(initial or {})})


def _render_room(request, thread, *, before=None, form=None, refusal=None):
    context = room_queries.room_page(request.user, thread, before=before)
    if permissions.is_direct(thread.community):
        context.update(direct_queries.conversation_context(request.user, thread))
    context.update(room_queries.room_sidebar_context(request.user, thread))
    if context["can_reply"]:
        form = form or _message_form(
            initial={"body": draft_queries.draft_body(request.user, thread)}
        )
        form.fields["body"].widget.attrs["placeholder"] = (
            _("Message %(name)s") % {"name": context["direct_name"]}
            if context.get("direct")
            else _("Message #%(name)s") % {"name": thread.title}
        )
        context["form"] = form
        # Shown again after a refusal, the composer still holds the files sent with it.
        if form.is_bound:
            context["attachments_pending"] = post_queries.attachments_pending(
                request.user, thread, form.cleaned_data.get("attachments", [])
            )
    context.update(posting_rules_context(request.user, thread, context["reply_state"]))
    position = getattr(thread, "reader_position", None)
    context["reading"] = unread_queries.thread_reading(
        request.user, thread, position.last_read_number if position else 0
    )
    response = render(
        request,
        "community/room_detail.html",
        context,
        status=refusal_status(refusal),
    )
    return with_retry_after(response, refusal)


@login_required
def room_create(request, slug):
    """Open a room: owners and moderators of the community (and staff) only."""
    community = permissions.access_community(request.user, slug, action="read")
    permissions.require_create_room(request.user, community)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = room_services.room_create(
                actor=request.user, community=community, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The room #%(name)s is open.") % {"name": room.title}
            )
            return redirect(room)
    return render(
        request,
        "community/room_create.html",
        {"community": community, "form": form, "nav_section": "communities"},
    )


@thread_in_its_community
def room_detail(request, slug, pk):
    """A room as a chat: the latest 50 messages (`?before=<number>` for older ones)."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    if thread.kind != Thread.Kind.ROOM:
        return redirect(thread)  # discussions are read page by page
    return _render_room(request, thread, before=_before(request))


@json_refusals
@thread_in_its_community
def room_messages(request, slug, pk):
    """Older messages for room.js, as JSON: `html`, the `<li>`s (day separators and
    messages) the room page shows before `?before=<number>` for this viewer, and
    `older`, the address of the messages before those (null at the beginning).

    Whoever may read the room page: the same access check, the same query.
    """
    thread = permissions.access_room(request.user, pk, community_slug=slug)
    context = room_queries.room_page(request.user, thread, before=_before(request))
    # Rendered without the request: the messages need no context processor (the
    # navigation's query), only the CSRF token of their delete forms.
    html = render_to_string(
        "community/includes/room_message_list.html",
        {**context, "csrf_token": get_token(request)},
    )
    older = None
    if context["older_before"] is not None:
        url = reverse(
            "community:room-messages", args=[thread.community.slug, thread.pk]
        )
        older = f"{url}?before={context['older_before']}"
    return JsonResponse({"html": html, "older": older})


@json_refusals
@thread_in_its_community
def room_sidebar(request, slug, pk):
    """The room page's sidebar for room_layout.js, as JSON `html`: read again when
    another of the reader's rooms or conversations gets a message, so its unread
    counts stay current. Whoever may read the room page, with the same check."""
    thread = permissions.access_room(request.user, pk, community_slug=slug)
    html = render_to_string(
        "community/includes/room_sidebar.html",
        {
            **room_queries.room_sidebar_context(request.user, thread),
            "thread": thread,
            "community": thread.community,
            "user": request.user,
        },
    )
    return JsonResponse({"html": html})


@login_required
@require_POST
@thread_in_its_community
def room_post(request, slug, pk):
    """Send a message without JavaScript (room.js sends over the socket)."""
    thread = permissions.access_room(request.user, pk, community_slug=slug)
    permissions.require_reply(request.user, thread)
    form = RoomMessageForm(request.POST)
    if form.is_valid():
        try:
            post = threads.post_reply(
                actor=request.user,
                thread=thread,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return _render_room(request, thread, form=form, refusal=error)
        else:
            if isinstance(post, HeldPost):
                messages.info(request, HELD_MESSAGE)
                return redirect(f"{thread.get_absolute_url()}#held-posts")
            # Whoever just wrote has read the room up to their own message: the
            # posting service moved their read position in its own statement.
            messages.success(request, _("Your message is online."))
            return redirect(f"{thread.get_absolute_url()}#composer")
    return _render_room(request, thread, form=form)


@login_required
@require_POST
@thread_in_its_community
def room_read(request, slug, pk):
    """Record how far the reader has read the room (room.js, or the "mark as read"
    button without JavaScript)."""
    thread = permissions.access_room(request.user, pk, community_slug=slug)
    return reading_recorded(
        request,
        thread,
        lambda number: room_services.room_read_mark(
            user=request.user, thread=thread, number=number
        ),
        _("The room is marked as read."),
    )


@login_required
def post_promote(request, pk):
    """Continue a room message as a discussion thread: its author or a moderator."""
    post = permissions.access_post(request.user, pk)
    if post.thread.kind != Thread.Kind.ROOM:
        raise Http404("No such room message.")
    permissions.require_promote_post(request.user, post)
    promotion = room_queries.post_promotion(post)
    if promotion is not None:
        messages.info(request, _("This message already continues in a thread."))
        return redirect(promotion)
    form = PromoteForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            thread = room_services.post_promote(
                actor=request.user,
                post=post,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The conversation goes on in this thread."))
            return redirect(thread)
    elif request.method != "POST":
        first_line = " ".join(post.body.split())
        if len(first_line) > SUGGESTED_TITLE_LENGTH:
            first_line = first_line[: SUGGESTED_TITLE_LENGTH - 1].rstrip() + "…"
        form = PromoteForm(initial={"title": first_line}, post=post)
    return render(
        request,
        "community/room_promote.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "form": form,
            "nav_section": "communities",
        },
    )


urlpatterns = [
    path("c/<slug:slug>/rooms/new/", room_create, name="room-create"),
    path("c/<slug:slug>/r/<int:pk>/", room_detail, name="room-detail"),
    path("c/<slug:slug>/r/<int:pk>/messages/", room_messages, name="room-messages"),
    path("c/<slug:slug>/r/<int:pk>/sidebar/", room_sidebar, name="room-sidebar"),
    path("c/<slug:slug>/r/<int:pk>/post/", room_post, name="room-post"),
    path("c/<slug:slug>/r/<int:pk>/read/", room_read, name="room-read"),
    path("p/<int:pk>/promote/", post_promote, name="post-promote"),
]
