"""Views for discussion threads: start, read page by page, reply, quote (a page, or
JSON for composer.js), edit, delete."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import fragments, permissions
from ..forms.moderation import SlowModeForm
from ..forms.threads import PostEditForm, ReplyForm, ThreadForm
from ..models import HeldPost, Thread
from ..queries import drafts as draft_queries
from ..queries import moderation as moderation_queries
from ..queries import posts
from ..queries import threads as thread_queries
from ..queries import unread as unread_queries
from ..services import reading, rules, views_counted
from ..services import threads as thread_services
from ..services.rules import HELD_MESSAGE
from .addresses import thread_in_its_community
from .feedback import flash_errors, flash_form_errors, refusal_status, with_retry_after
from .fetch import json_refusals


def posting_rules_context(user, thread, reply_state):
    """What the composer of a thread or room page says about the posting rules: the
    reader's own posts waiting for approval, their silence (until when, why), the
    slow mode and how long they still wait, and the slow-mode form for moderators."""
    return {
        "held_posts": moderation_queries.held_posts_of(user, thread),
        "silence": (
            moderation_queries.silence_of(user, thread.community)
            if reply_state == "muted"
            else None
        ),
        "slow_mode_seconds": thread.slow_mode_seconds,
        "slow_mode_exempt": permissions.is_exempt_from_posting_rules(
            user, thread.community
        ),
        "slow_mode_wait": (
            rules.slow_mode_remaining(user, thread) if reply_state == "reply" else 0
        ),
        "slow_mode_form": (
            SlowModeForm(initial={"seconds": thread.slow_mode_seconds})
            if permissions.can_set_slow_mode(user, thread)
            else None
        ),
    }


def _quote_id(request):
    """The post id of `?quote=`, or None when absent or not a number."""
    value = request.GET.get("quote", "")
    return int(value) if value.isdigit() else None


def _reply_form(**kwargs):
    return ReplyForm(
        initial={"client_id": uuid.uuid4(), **kwargs.pop("initial", {})}, **kwargs
    )


@login_required
def thread_create(request, slug):
    """Start a thread: members of the community (and staff) only. Its composer
    uploads files ahead (`community-attachment-upload`) and sends their ids."""
    community = permissions.access_community(request.user, slug, action="read")
    permissions.require_create_thread(request.user, community)
    status, refusal = 200, None
    if request.method == "POST":
        form = ThreadForm(request.POST)
        if form.is_valid():
            try:
                thread = thread_services.thread_create(
                    actor=request.user,
                    community=community,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    tags=form.cleaned_data["tags"],
                    client_id=form.cleaned_data["client_id"],
                    may_hold=True,
                    is_question=form.cleaned_data["is_question"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                status, refusal = refusal_status(error), error
            else:
                if isinstance(thread, HeldPost):
                    messages.info(
                        request,
                        _(
                            "Your thread is awaiting a moderator's approval: it will "
                            "appear once approved."
                        ),
                    )
                    return redirect(community)
                messages.success(request, _("Your thread is online."))
                return redirect(thread)
    else:
        form = ThreadForm(initial={"client_id": uuid.uuid4()})
    # Shown again after a refusal, the composer still holds the files sent with it.
    sent = form.cleaned_data.get("attachments", []) if form.is_bound else []
    response = render(
        request,
        "community/thread_create.html",
        {
            "community": community,
            "form": form,
            "attachments_pending": posts.attachments_pending(
                request.user, community, sent
            ),
        },
        status=status,
    )
    return with_retry_after(response, refusal)


@thread_in_its_community
def thread_detail(request, slug, pk):
    """One page of a thread, 30 posts a page, with the reply composer at the bottom."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    if thread.kind == Thread.Kind.ROOM:
        return redirect(thread)  # rooms have their own chat page
    views_counted.thread_view_record(
        thread=thread, viewer=views_counted.viewer_key(request)
    )
    try:
        context = thread_queries.thread_page(
            request.user, thread, request.GET.get("page") or 1
        )
    except InvalidPage as error:
        raise Http404(_("No such page.")) from error
    # Reading the page reads its posts: the position moves up to the last one shown
    # (one statement, only when it moves forward).
    shown = context["posts"][-1].number if context["posts"] else 0
    last_read = reading.thread_page_read(request.user, thread, shown)
    context["reading"] = unread_queries.thread_reading(request.user, thread, last_read)
    context["posts_html"] = fragments.page_posts(
        request, context["posts"], can_split=context["tools"].split
    )
    if context["reply_state"] == "reply":
        context["composer"] = fragments.blank_composer(
            request,
            ReplyForm,
            action=reverse(
                "community:thread-reply", args=[thread.community.slug, thread.pk]
            ),
            mentions_thread=thread.pk,
            draft_url=reverse("community:thread-draft", args=[thread.pk]),
            draft=draft_queries.draft_body(request.user, thread),
        )
    context.update(posting_rules_context(request.user, thread, context["reply_state"]))
    return render(request, "community/thread_detail.html", context)


@login_required
@thread_in_its_community
def thread_reply(request, slug, pk):
    """The reply composer on its own page (GET, `?quote=` prefills it) and its POST."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    permissions.require_reply(request.user, thread)
    quoted = None
    status, refusal = 200, None
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                post = thread_services.post_reply(
                    actor=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
                status, refusal = refusal_status(error), error
            else:
                if isinstance(post, HeldPost):
                    messages.info(request, HELD_MESSAGE)
                    return redirect(f"{thread.get_absolute_url()}#held-posts")
                messages.success(request, _("Your reply is online."))
                return redirect(posts.post_location_url(post, thread))
    else:
        initial = {}
        quote_id = _quote_id(request)
        if quote_id is not None:
            quoted = permissions.access_post(request.user, quote_id)
            if quoted.thread_id != thread.pk or not permissions.can_quote_post(
                request.user, quoted
            ):
                raise Http404(_("No such post in this thread."))
            initial["body"] = thread_queries.post_quote_markdown(quoted)
        else:
            initial["body"] = draft_queries.draft_body(request.user, thread)
        form = _reply_form(initial=initial)
    # Shown again after a refusal, the composer still holds the files sent with it.
    sent = form.cleaned_data.get("attachments", []) if form.is_bound else []
    response = render(
        request,
        "community/thread_reply.html",
        {
            "thread": thread,
            "community": thread.community,
            "form": form,
            "quoted": quoted,
            "attachments_pending": posts.attachments_pending(request.user, thread, sent),
        },
        status=status,
    )
    return with_retry_after(response, refusal)


@login_required
@require_POST
def thread_slow_mode(request, pk):
    """Moderators set the slow mode of a thread or room (from its page)."""
    thread = permissions.access_thread(request.user, pk)
    permissions.require_set_slow_mode(request.user, thread)
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(thread)
    try:
        rules.thread_slow_mode_set(
            actor=request.user, thread=thread, seconds=form.cleaned_data["seconds"]
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        if thread.slow_mode_seconds:
            messages.success(
                request,
                _("Slow mode is on: one message every %(seconds)d seconds per member.")
                % {"seconds": thread.slow_mode_seconds},
            )
        else:
            messages.success(request, _("Slow mode is off."))
    return redirect(thread)


@json_refusals
def post_quote(request, pk):
    """The Markdown quoting a post, for composer.js: `{"markdown": "..."}`.

    The checks of the reply page's `?quote=`: the post must be readable (404 when
    invisible), the viewer must be allowed to reply in its thread (403 saying why,
    anonymous visitors included), and a deleted or hidden post is not quoted (404).
    """
    post = permissions.access_post(request.user, pk)
    permissions.require_reply(request.user, post.thread)
    if not permissions.can_quote_post(request.user, post):
        raise Http404(_("No such post in this thread."))
    return JsonResponse({"markdown": thread_queries.post_quote_markdown(post)})


def post_permalink(request, pk):
    """Redirect to the page of the thread showing the post, at its anchor."""
    post = permissions.access_post(request.user, pk)
    return redirect(posts.post_location_url(post))


@login_required
def post_edit(request, pk):
    """Edit your own post; the previous version goes to its history."""
    post = permissions.access_post(request.user, pk)
    permissions.require_edit_post(request.user, post)
    if request.method == "POST":
        form = PostEditForm(request.POST)
        if form.is_valid():
            try:
                thread_services.post_edit(
                    actor=request.user, post=post, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your post was updated."))
                return redirect(posts.post_location_url(post))
    else:
        form = PostEditForm(initial={"body": post.body})
    return render(
        request,
        "community/post_edit.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "form": form,
        },
    )


@login_required
@require_POST
def post_delete(request, pk):
    """Delete your own post; a placeholder keeps the thread readable."""
    post = permissions.access_post(request.user, pk)
    thread_services.post_delete(actor=request.user, post=post)
    messages.success(request, _("Your post was deleted."))
    return redirect(posts.post_location_url(post))


@login_required
def post_history(request, pk):
    """Every version of a post, newest first: for members of the community."""
    post = permissions.access_post(request.user, pk)
    permissions.require_view_post_history(request.user, post)
    return render(
        request,
        "community/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "community": post.thread.community,
            "revisions": (
                thread_queries.post_history(post) if post.is_visible_content else []
            ),
        },
    )


urlpatterns = [
    path("c/<slug:slug>/new/", thread_create, name="thread-create"),
    path("c/<slug:slug>/t/<int:pk>/", thread_detail, name="thread-detail"),
    path("c/<slug:slug>/t/<int:pk>/reply/", thread_reply, name="thread-reply"),
    path("t/<int:pk>/slow-mode/", thread_slow_mode, name="thread-slow-mode"),
    path("p/<int:pk>/", post_permalink, name="post-permalink"),
    path("p/<int:pk>/quote/", post_quote, name="post-quote"),
    path("p/<int:pk>/edit/", post_edit, name="post-edit"),
    path("p/<int:pk>/delete/", post_delete, name="post-delete"),
    path("p/<int:pk>/history/", post_history, name="post-history"),
]
