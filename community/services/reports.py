"""Write services for reports and the review queue: members report posts, moderators
claim and decide the items; every decision writes its audit entry in its transaction.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.events import event_record, stream_name

from .. import permissions
from ..models import (
    AuditEntry,
    Community,
    Membership,
    ModerationNotice,
    Post,
    Report,
    ReviewItem,
)
from ..ratelimit import rate_limit_hit
from .audit import audit_record
from .moderation import (
    clean_hide_reason,
    membership_ban,
    membership_mute,
    post_hidden_set,
)
from .thread_tools import post_removed_set

__all__ = [
    "NOTE_MAX_LENGTH",
    "STAFF_REVIEW_STREAM",
    "moderation_settings_change",
    "notices_mark_read",
    "post_report",
    "record_review_event",
    "review_claim",
    "review_decide",
    "review_release",
    "review_take_over",
]

Action = AuditEntry.Action
Decision = ReviewItem.Decision
Status = ReviewItem.Status

NOTE_MAX_LENGTH = Report._meta.get_field("note").max_length


# --- live: the queues follow ---------------------------------------------------------------

# Staff follow every community's queue through one stream, `review:1` (ids start at 1).
STAFF_REVIEW_STREAM = stream_name("review", 1)


def record_review_event(item, type, actor):
    """Tell the community's moderators (`moderation:<id>`) and staff (`review:1`) that
    an item opened, changed or closed: ids only, their pages fetch what they may see
    (the queue list, the navigation's count)."""
    payload = {"item": item.pk, "community": item.community_id}
    for stream in (stream_name("moderation", item.community_id), STAFF_REVIEW_STREAM):
        event_record(stream=stream, type=type, payload=payload, actor=actor)


# --- reporting ---------------------------------------------------------------------------


def post_report(*, actor, post, reason, note=""):
    """Report `post` to the community's moderators; return the Report.

    Members who can read it (`permissions.can_report_post`), else PermissionDenied.
    ValidationError for an unknown reason, a missing note with "other", an over-long
    note, a second report of the same post, or past the "report" rate limit. When
    reports from distinct members on the open review item reach the community's
    threshold, the post is hidden pending review (through `post_hidden_set`: pages,
    catch-up and live sockets show the placeholder at once).
    """
    permissions.require_report_post(actor, post)
    errors = {}
    if reason not in Report.Reason.values:
        errors["reason"] = _("Choose why you are reporting this post.")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("The note is too long: at most %(limit)d characters.") % {
            "limit": NOTE_MAX_LENGTH
        }
    elif reason == Report.Reason.OTHER and not note:
        errors["note"] = _("Say in a few words what is wrong with this post.")
    if errors:
        raise ValidationError(errors)
    if Report.objects.filter(post=post, reporter=actor).exists():
        raise ValidationError(_("You have already reported this post."))
    rate_limit_hit(actor, "report")
    community = post.thread.community
    try:
        with transaction.atomic():
            # The post's row orders reports of one post: the threshold is crossed once.
            locked = (
                Post.objects.select_for_update(of=("self",))
                .select_related("thread__community", "author")
                .get(pk=post.pk)
            )
            if locked.is_hidden or locked.is_deleted:
                raise ValidationError(
                    _("This post is no longer shown: nothing to report.")
                )
            item = (
                ReviewItem.objects.select_for_update()
                .filter(post=locked, status=Status.OPEN)
                .first()
            )
            opened = item is None
            if opened:
                item = ReviewItem.objects.create(community=community, post=locked)
            report = Report.objects.create(
                post=locked, reporter=actor, item=item, reason=reason, note=note
            )
            record_review_event(
                item, "review.opened" if opened else "review.reported", actor
            )
            reporters = item.reports.values("reporter").distinct().count()
            if reporters >= community.report_threshold:
                post_hidden_set(
                    locked,
                    actor=None,
                    hidden=True,
                    action=Action.POST_HIDDEN_BY_REPORTS,
                    # Stored as the number: each reader reads it in their language
                    # (`AuditEntry.reason_display`); the post's page says "hidden by
                    # members' reports" for a post nobody hid by hand.
                    audit_reason=str(reporters),
                )
                item.hidden_by_reports = True
                item.save(update_fields=["hidden_by_reports"])
                post.is_hidden = True
    except IntegrityError as error:  # the same member, twice at once
        raise ValidationError(_("You have already reported this post.")) from error
    return report


# --- the review queue --------------------------------------------------------------------


def _item_locked(item):
    return (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related(
            "community",
            "post__thread__community",
            "post__author",
            "claimed_by",
            "decided_by",
        )
        .get(pk=item.pk)
    )


def _refuse_if_taken(actor, row):
    """ValidationError when the item was closed or another moderator holds it."""
    if not row.is_open:
        who = row.decided_by.name if row.decided_by else _("another moderator")
        raise ValidationError(
            _("This item was already closed by %(name)s (%(decision)s).")
            % {"name": who, "decision": row.get_decision_display()},
            code="closed",
        )
    if row.claimed_by_id and row.claimed_by_id != actor.pk and _claim_holds(row):
        raise ValidationError(
            _("%(name)s is already handling this item.")
            % {"name": row.claimed_by.name},
            code="claimed",
        )


def _refuse_if_moved(actor, item, row):
    """The community the locked item's post is in now (a moved thread takes its
    items along); ValidationError when the post moved since `item` was read to a
    community `actor` does not moderate."""
    community = row.post.thread.community
    if community.pk != item.community_id and not permissions.can_review_posts(
        actor, community
    ):
        raise ValidationError(
            _(
                "This post was moved to another community meanwhile: its "
                "moderators decide it now."
            ),
            code="moved",
        )
    return community


def _claim_holds(row):
    """Does another moderator's claim still keep the item? Not once it lapsed
    (`REVIEW_CLAIM_MINUTES`), nor when they no longer moderate the community."""
    if not row.is_claim_live:
        return False
    with permissions.fresh():
        return permissions.can_review_posts(row.claimed_by, row.community)


def review_claim(*, actor, item):
    """Take an open item so that other moderators leave it to you; return it.

    The community's moderators and staff (`permissions.can_review_posts`), else
    PermissionDenied. ValidationError when it is closed or another moderator holds it.
    """
    permissions.require_review_posts(actor, item.community)
    with transaction.atomic():
        row = _item_locked(item)
        _refuse_if_moved(actor, item, row)
        _refuse_if_taken(actor, row)
        if row.claimed_by_id != actor.pk:
            row.claimed_by = actor
            row.claimed_at = timezone.now()
            row.save(update_fields=["claimed_by", "claimed_at"])
            record_review_event(row, "review.claimed", actor)
    return row


def review_take_over(*, actor, item):
    """Take an open item another moderator holds (they may have left it half done);
    return it. Owners and staff (`permissions.can_take_over_review`), else
    PermissionDenied; ValidationError when it is closed. Writes an audit entry naming
    the moderator whose claim was taken."""
    permissions.require_review_posts(actor, item.community)
    permissions.require_take_over_review(actor, item.community)
    with transaction.atomic():
        Post.objects.select_for_update(of=("self",)).filter(pk=item.post_id).exists()
        row = _item_locked(item)
        community = _refuse_if_moved(actor, item, row)
        permissions.require_take_over_review(actor, community)
        if not row.is_open:
            _refuse_if_taken(actor, row)
        previous = row.claimed_by
        if previous is not None and previous.pk != actor.pk:
            audit_record(
                actor=actor,
                community=row.community,
                action=Action.REVIEW_TAKEN_OVER,
                member=previous,
                post=row.post,
            )
        row.claimed_by = actor
        row.claimed_at = timezone.now()
        row.save(update_fields=["claimed_by", "claimed_at"])
        record_review_event(row, "review.claimed", actor)
    return row


def review_release(*, actor, item):
    """Give back an item you claimed (the others may take it). Same rule as a claim."""
    permissions.require_review_posts(actor, item.community)
    with transaction.atomic():
        row = _item_locked(item)
        _refuse_if_taken(actor, row)
        if row.claimed_by_id == actor.pk:
            row.claimed_by = None
            row.claimed_at = None
            row.save(update_fields=["claimed_by", "claimed_at"])
            record_review_event(row, "review.released", actor)
    return row


def _notify(author, community, kind, *, post=None, reason="", until=None):
    if author is None:
        return
    ModerationNotice.objects.create(
        user=author,
        community=community,
        kind=kind,
        post_id_ref=post.pk if post is not None else None,
        reason=reason,
        until=until,
    )


def _author_membership(row, community):
    membership = Membership.objects.select_related("user", "community").filter(
        user_id=row.post.author_id, community=community
    )
    found = membership.first()
    if found is None:
        raise ValidationError(_("The author is no longer a member of this community."))
    return found


def review_decide(*, actor, item, decision, reason="", until=None):
    """Close an open item with `decision`; return it.

    - dismissed: the reports were unfounded; a post the reports hid is shown again;
    - hidden: hidden (or kept hidden) with `reason`, which its author is told;
    - restored: shown again;
    - removed: deleted by a moderator (`reason` told to the author), for good;
    - warned: the author gets a private warning (`reason` required);
    - silenced: the author cannot post until `until` (`membership_mute`);
    - banned: the author is banned (`membership_ban`).
    The community's moderators and staff (`permissions.can_review_posts`; silences and
    bans follow `permissions.can_sanction_member` too), else PermissionDenied.
    ValidationError when the item is closed or held by another moderator, or for a
    missing or too long reason, or a silence that does not end in the future.
    """
    permissions.require_review_posts(actor, item.community)
    if decision not in Decision.values:
        raise ValidationError(_("Choose a decision."))
    reason = clean_hide_reason(reason)
    if decision == Decision.WARNED and not reason:
        raise ValidationError({"reason": _("Write the warning the author will read.")})
    with transaction.atomic():
        # The post's row first, as `post_report` takes them: a report and a decision
        # on one post queue up instead of deadlocking.
        Post.objects.select_for_update(of=("self",)).filter(pk=item.post_id).exists()
        row = _item_locked(item)
        community = _refuse_if_moved(actor, item, row)
        _refuse_if_taken(actor, row)
        post = row.post
        if decision == Decision.DISMISSED:
            # Only what the reports hid: a moderator's own hide stays.
            if post.is_hidden and row.hidden_by_reports and post.hidden_by_id is None:
                post_hidden_set(post, actor=actor, hidden=False)
            audit_record(
                actor=actor,
                community=community,
                action=Action.REVIEW_DISMISSED,
                post=post,
                reason=reason,
            )
        elif decision == Decision.HIDDEN:
            permissions.require_hide_post(actor, post)
            post_hidden_set(post, actor=actor, hidden=True, reason=reason)
            _notify(
                post.author,
                community,
                ModerationNotice.Kind.POST_HIDDEN,
                post=post,
                reason=reason,
            )
        elif decision == Decision.RESTORED:
            permissions.require_hide_post(actor, post)
            if not post.is_hidden:
                raise ValidationError(
                    _("This post is shown already: dismiss the reports instead."),
                    code="shown",
                )
            post_hidden_set(post, actor=actor, hidden=False, reason=reason)
        elif decision == Decision.REMOVED:
            if post.is_deleted:
                raise ValidationError(
                    _("This post was deleted already: dismiss the reports instead."),
                    code="deleted",
                )
            permissions.require_remove_post(actor, post)
            post_removed_set(post, actor=actor, reason=reason)
        elif decision == Decision.WARNED:
            audit_record(
                actor=actor,
                community=community,
                action=Action.MEMBER_WARNED,
                post=post,
                reason=reason,
            )
            _notify(
                post.author,
                community,
                ModerationNotice.Kind.WARNING,
                post=post,
                reason=reason,
            )
        elif decision == Decision.SILENCED:
            membership_mute(
                actor=actor,
                membership=_author_membership(row, community),
                until=until,
                reason=reason,
                post=post,
            )
        else:
            membership_ban(
                actor=actor, membership=_author_membership(row, community), reason=reason
            )
        # Each reporter is told the outcome (not the reason, which is the author's).
        ModerationNotice.objects.bulk_create(
            ModerationNotice(
                user_id=reporter,
                community=community,
                kind=ModerationNotice.Kind.REPORT_OUTCOME,
                post_id_ref=post.pk,
                decision=decision,
            )
            for reporter in row.reports.values_list("reporter", flat=True).distinct()
        )
        row.status = Status.CLOSED
        row.decision = decision
        row.decided_by = actor
        row.decided_at = timezone.now()
        row.reason = reason
        row.save(
            update_fields=["status", "decision", "decided_by", "decided_at", "reason"]
        )
        record_review_event(row, "review.closed", actor)
    return row


# --- settings and notices ----------------------------------------------------------------


def _setting_value(value, field, low, high, message):
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not low <= value <= high:
        raise ValidationError({field: message})
    return value


def moderation_settings_change(
    *, actor, community, report_threshold, slow_mode_default=None,
    first_posts_approval=None,
):
    """Set how many members' reports hide a post (1 to 50), the slow mode new
    threads and rooms start with (0 to 86400 seconds) and how many of a new member's
    first posts wait for approval (0 to 20); None leaves a setting as it is. Return
    the community.

    Owners and staff (`permissions.can_change_moderation_settings`), else
    PermissionDenied; ValidationError out of range. One audit entry per setting
    that changed.
    """
    permissions.require_change_moderation_settings(actor, community)
    wanted = {
        "report_threshold": _setting_value(
            report_threshold, "report_threshold", 1, 50,
            _("Choose a number of reports between 1 and 50."),
        )
    }
    if slow_mode_default is not None:
        wanted["slow_mode_default"] = _setting_value(
            slow_mode_default, "slow_mode_default", 0, 86400,
            _("Choose a number of seconds between 0 and 86400."),
        )
    if first_posts_approval is not None:
        wanted["first_posts_approval"] = _setting_value(
            first_posts_approval, "first_posts_approval", 0, 20,
            _("Choose a number of posts between 0 and 20."),
        )
    with transaction.atomic():
        previous = Community.objects.select_for_update().get(pk=community.pk)
        changed = {
            field: value
            for field, value in wanted.items()
            if getattr(previous, field) != value
        }
        if changed:
            Community.objects.filter(pk=community.pk).update(**changed)
        for field, value in changed.items():
            audit_record(
                actor=actor,
                community=community,
                action=Action.SETTINGS_CHANGED,
                member=None,
                reason=f"{getattr(previous, field)} → {value}",
                # The setting's code: the log names it in its reader's language.
                label=field,
            )
        for field, value in wanted.items():
            setattr(community, field, value)
    return community


def notices_mark_read(*, actor, ids):
    """Mark the member's unread moderation notices `ids` as read (the ones their
    page showed them: not those past the page, nor any that arrived meanwhile)."""
    return ModerationNotice.objects.filter(
        user=actor, pk__in=list(ids), read_at__isnull=True
    ).update(read_at=timezone.now())
