"""Views for a community's posting rules: the moderation settings page (report
threshold, slow mode for new threads and rooms, first-posts approval, watched words)
and the held posts moderators approve or reject."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..forms.moderation import HeldDecisionForm, ModerationSettingsForm, WatchedWordForm
from ..models import HeldPost
from ..queries import moderation as moderation_queries
from ..services import reports, rules
from ..services import threads as thread_services
from .communities import _header_context, _page, community_action
from .feedback import flash_errors, flash_form_errors

WORDS_PER_PAGE = 50
HELD_PER_PAGE = 25


def _settings_page(request, community, *, form=None, word_form=None, status=200):
    permissions.require_see_moderation_settings(request.user, community)
    user = request.user
    context = _header_context(request, community, "moderation")
    if form is None and permissions.can_change_moderation_settings(user, community):
        form = ModerationSettingsForm(
            initial={
                "report_threshold": community.report_threshold,
                "slow_mode_default": community.slow_mode_default,
                "first_posts_approval": community.first_posts_approval,
            }
        )
    can_manage_words = permissions.can_manage_watched_words(user, community)
    words = _page(request, moderation_queries.watched_words(community), WORDS_PER_PAGE)
    context.update(
        settings_form=form,
        word_form=(word_form or WatchedWordForm()) if can_manage_words else None,
        can_manage_words=can_manage_words,
        page_obj=words,
        words=words.object_list,
    )
    return render(request, "community/moderation_settings.html", context, status=status)


@community_action
def moderation_settings(request, community):
    """The settings page (moderators read it; owners and staff change the numbers)."""
    if request.method != "POST":
        return _settings_page(request, community)
    permissions.require_change_moderation_settings(request.user, community)
    form = ModerationSettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, community, form=form)
    try:
        reports.moderation_settings_change(
            actor=request.user, community=community, **form.cleaned_data
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _settings_page(request, community, form=form)
    messages.success(request, _("The moderation settings were saved."))
    return redirect("community:moderation-settings", community.slug)


@require_POST
@community_action
def watched_word_add(request, community):
    """Add a watched word (moderators and owners)."""
    permissions.require_manage_watched_words(request.user, community)
    form = WatchedWordForm(request.POST)
    if form.is_valid():
        try:
            rule = rules.watched_word_add(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("“%(word)s” is watched now.") % {"word": rule.word})
            return redirect(
                reverse("community:moderation-settings", args=[community.slug])
                + "#watched-words"
            )
    return _settings_page(request, community, word_form=form)


@require_POST
@community_action
def watched_word_remove(request, community, pk):
    """Stop watching a word (moderators and owners)."""
    permissions.require_manage_watched_words(request.user, community)
    rule = moderation_queries.watched_words(community).filter(pk=pk).first()
    if rule is None:
        raise Http404("No such watched word.")
    rules.watched_word_remove(actor=request.user, rule=rule)
    messages.success(request, _("“%(word)s” is no longer watched.") % {"word": rule.word})
    return redirect(
        reverse("community:moderation-settings", args=[community.slug]) + "#watched-words"
    )


def _held_status(request):
    wanted = request.GET.get("status")
    if wanted in (HeldPost.Status.RELEASED, HeldPost.Status.REJECTED):
        return wanted
    return HeldPost.Status.HELD


@community_action
def held_posts(request, community):
    """Posts waiting for approval (`?status=released` / `rejected`: decided ones)."""
    permissions.require_see_review_queue(request.user, community)
    status = _held_status(request)
    page_obj = _page(
        request, moderation_queries.held_posts(community, status=status), HELD_PER_PAGE
    )
    context = _header_context(request, community, "moderation")
    context.update(
        page_obj=page_obj,
        held_posts=page_obj.object_list,
        status=status,
        can_decide=permissions.can_decide_held_posts(request.user, community),
        form=HeldDecisionForm(),
    )
    return render(request, "community/moderation_held.html", context)


@require_POST
@community_action
def held_decide(request, community, pk):
    """Approve (publish now, live) or reject (the author is told) a held post."""
    held = permissions.access_held_post(request.user, community, pk)
    back = reverse("community:held-posts", args=[community.slug])
    form = HeldDecisionForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "release":
            thread_services.held_release(actor=request.user, held=held)
            messages.success(request, _("The post is approved and published."))
        else:
            rules.held_reject(
                actor=request.user, held=held, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The post is rejected; its author is told."))
    except ValidationError as error:
        flash_errors(request, error)
    return redirect(back)


urlpatterns = [
    path(
        "c/<slug:slug>/moderation/settings/",
        moderation_settings,
        name="moderation-settings",
    ),
    path(
        "c/<slug:slug>/moderation/settings/words/",
        watched_word_add,
        name="watched-word-add",
    ),
    path(
        "c/<slug:slug>/moderation/settings/words/<int:pk>/delete/",
        watched_word_remove,
        name="watched-word-remove",
    ),
    path("c/<slug:slug>/moderation/held/", held_posts, name="held-posts"),
    path("c/<slug:slug>/moderation/held/<int:pk>/", held_decide, name="held-decide"),
]
