"""Admin registration for staff: read-only for domain state, actions through services.

Editing a membership's state, a community's visibility, a thread's lock or a post's
body here would skip the rules, the event log and the live cut-off that every other
door applies. So domain rows are shown read-only, and staff change them with admin
actions that call the same services as the site (ban, remove, mute, lock, hide,
change visibility...), each recorded and broadcast like any other change.
"""

from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import permissions
from .forms.moderation import MemberActionForm
from .models import (
    Affiliation,
    Attachment,
    AuditEntry,
    Block,
    Community,
    HeldPost,
    Membership,
    ModerationNotice,
    Organisation,
    Post,
    PostRevision,
    Reaction,
    Report,
    ReviewItem,
    Thread,
    ThreadRedirect,
    User,
    WatchedWord,
)
from .services import accounts, communities, memberships, moderation, thread_tools


class ReadOnly:
    """Staff look, services write: no add, change or delete form."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0


def service_action(name, description, service, target, **arguments):
    """An admin action `name` calling `service(actor=<staff>, <target>=row, **arguments)`
    for each selected row.

    Refusals and invalid cases are reported per row with the service's own message;
    the others are counted.
    """

    def action(modeladmin, request, queryset):
        done = 0
        for obj in queryset:
            try:
                service(actor=request.user, **{target: obj}, **arguments)
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d row changed.", "%(count)d rows changed.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    action.__name__ = name
    action.short_description = description
    return action


# --- people and organisations ---------------------------------------------------------


def account_suspend_action(modeladmin, request, queryset):
    """Suspend the selected accounts site-wide through `accounts.account_suspend`,
    after a page asking for how many days and why."""
    form = MemberActionForm(
        {**request.POST.dict(), "action": "suspend"} if "apply" in request.POST else None
    )
    if form.is_bound and form.is_valid():
        done = 0
        for person in queryset:
            try:
                accounts.account_suspend(
                    actor=request.user,
                    person=person,
                    until=form.until,
                    reason=form.cleaned_data["reason"],
                )
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                modeladmin.message_user(request, f"{person}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d account suspended.", "%(count)d accounts suspended.", done
                )
                % {"count": done},
                messages.SUCCESS,
            )
        return None
    return TemplateResponse(
        request,
        "admin/community/user/suspend.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Suspend accounts"),
            "people": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        },
    )


account_suspend_action.short_description = _("Suspend the selected accounts…")


class StaffPasswordForm(AdminPasswordChangeForm):
    """The admin's "set password" form: like a password change on the site, it ends
    the person's sessions' live sockets (the pages' sessions end with the password's
    hash)."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            accounts.sessions_end(user=user)
        return user


# Site roles whose change alters what a person may read (staff read everything).
SITE_ROLES = ("is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: site roles (staff, groups) are edited here; profile fields and the
    active flag are not (profiles belong to their owners; closing an account goes
    through `account_deactivate`, which also ends its sessions and sockets). A change
    of site role re-authorises the person's live subscriptions, and a password set
    here closes their sockets, as the site's own password change does."""

    change_password_form = StaffPasswordForm

    list_display = ("username", "email", "display_name", "organisation", "is_active", "suspended_until", "is_staff", "date_joined")
    list_select_related = ("organisation",)
    search_fields = ("username", "email", "display_name")
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            _("Profile"),
            {"fields": ("display_name", "bio", "avatar", "language", "time_zone", "organisation", "expertise", "suspended_until")},
        ),
    )
    readonly_fields = (
        "is_active",
        "suspended_until",
        "display_name",
        "bio",
        "avatar",
        "language",
        "time_zone",
        "organisation",
        "expertise",
        "last_login",
        "date_joined",
    )
    actions = [
        service_action(
            "account_deactivate",
            _("Close the selected accounts (ends their sessions)"),
            accounts.account_deactivate,
            "person",
        ),
        service_action(
            "account_reactivate",
            _("Reopen the selected accounts"),
            accounts.account_reactivate,
            "person",
        ),
        account_suspend_action,
        service_action(
            "account_unsuspend",
            _("Lift the suspension of the selected accounts"),
            accounts.account_unsuspend,
            "person",
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in SITE_ROLES if name in form.changed_data]
        if change and changed:
            accounts.account_site_roles_changed(
                actor=request.user, person=obj, changed=changed
            )


class AffiliationInline(ReadOnlyInline):
    model = Affiliation
    fields = ("user", "role", "state", "created_at")
    readonly_fields = fields


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "city", "sector", "created_at")
    list_filter = ("kind", "size")
    search_fields = ("name", "description", "city")
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "state", "created_at")
    list_filter = ("state", "role")
    list_select_related = ("user", "organisation")


# --- communities and memberships ------------------------------------------------------


def _visibility_action(visibility, description):
    return service_action(
        f"community_make_{visibility}",
        description,
        communities.community_set_visibility,
        "community",
        visibility=visibility,
    )


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("user", "role", "state", "muted_until", "created_at")
    readonly_fields = fields


@admin.register(Community)
class CommunityAdmin(ReadOnlyAdmin):
    list_display = ("name", "visibility", "kind", "member_count", "thread_count", "last_activity_at")
    list_filter = ("visibility", "kind")
    search_fields = ("name", "description")
    inlines = [MembershipInline]
    actions = [
        _visibility_action(Community.Visibility.PUBLIC, _("Make public")),
        _visibility_action(Community.Visibility.RESTRICTED, _("Make restricted")),
        _visibility_action(Community.Visibility.PRIVATE, _("Make private")),
    ]


def _mute(*, actor, membership, hours):
    """Mute from now on (the moment the action runs) for `hours`."""
    moderation.membership_mute(
        actor=actor, membership=membership, until=timezone.now() + timedelta(hours=hours)
    )


def _mute_action(hours, description):
    return service_action(
        f"membership_mute_{hours}h", description, _mute, "membership", hours=hours
    )


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "community", "role", "state", "muted_until", "created_at")
    list_filter = ("role", "state")
    list_select_related = ("user", "community")
    search_fields = ("user__username", "user__display_name", "community__name")
    actions = [
        service_action(
            "membership_ban",
            _("Ban from the community"),
            moderation.membership_ban,
            "membership",
        ),
        service_action(
            "membership_unban", _("Lift the ban"), moderation.membership_unban, "membership"
        ),
        service_action(
            "membership_remove",
            _("Remove from the community"),
            moderation.membership_remove,
            "membership",
        ),
        _mute_action(24, _("Mute for 24 hours")),
        _mute_action(24 * 7, _("Mute for 7 days")),
        service_action(
            "membership_unmute", _("Unmute"), moderation.membership_unmute, "membership"
        ),
        service_action(
            "membership_make_moderator",
            _("Make moderator"),
            memberships.membership_set_role,
            "membership",
            role=Membership.Role.MODERATOR,
        ),
        service_action(
            "membership_make_member",
            _("Make plain member"),
            memberships.membership_set_role,
            "membership",
            role=Membership.Role.MEMBER,
        ),
    ]


# --- conversation ---------------------------------------------------------------------


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ("title", "community", "kind", "author", "post_count", "is_pinned", "is_locked", "last_activity_at")
    list_filter = ("kind", "is_pinned", "is_locked")
    list_select_related = ("community", "author")
    search_fields = ("title",)
    actions = [
        service_action("thread_lock", _("Lock"), moderation.thread_lock, "thread"),
        service_action("thread_unlock", _("Unlock"), moderation.thread_unlock, "thread"),
        service_action("thread_pin", _("Pin"), moderation.thread_pin, "thread"),
        service_action("thread_unpin", _("Unpin"), moderation.thread_unpin, "thread"),
    ]


class PostRevisionInline(ReadOnlyInline):
    model = PostRevision
    fields = ("body", "edited_by", "created_at")
    readonly_fields = fields


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "thread",
        "author",
        "created_at",
        "is_deleted",
        "is_removed",
        "is_hidden",
    )
    list_filter = ("is_deleted", "is_removed", "is_hidden")
    list_select_related = ("thread", "author")
    search_fields = ("body",)
    inlines = [PostRevisionInline]
    actions = [
        service_action("post_hide", _("Hide from everyone"), moderation.post_hide, "post"),
        service_action("post_unhide", _("Show again"), moderation.post_unhide, "post"),
        service_action(
            "post_remove", _("Delete as a moderator"), thread_tools.post_remove, "post"
        ),
    ]

    def get_queryset(self, request):
        # Staff do not read direct messages, unless a participant reported one.
        return super().get_queryset(request).filter(
            permissions.posts_staff_may_read_condition()
        )

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A post deleted by a moderator is gone for everyone, staff included.
        if obj is not None and obj.is_removed:
            return [field for field in fields if field not in ("body", "body_html")]
        return fields

    def get_inline_instances(self, request, obj=None):
        if obj is not None and obj.is_removed:
            return []
        return super().get_inline_instances(request, obj)


def _posts_staff_may_read():
    return Post.objects.filter(permissions.posts_staff_may_read_condition())


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Files sent with posts, as their posts are shown here: none of an unreported
    direct message, none still pending (an upload is its uploader's until sent)."""

    list_display = ("original_name", "kind", "size", "uploaded_by", "post", "created_at")
    list_filter = ("kind",)
    list_select_related = ("uploaded_by", "post")
    search_fields = ("original_name",)
    fields = ("original_name", "kind", "content_type", "size", "sha256", "uploaded_by", "post", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(post__in=_posts_staff_may_read())


@admin.register(Reaction)
class ReactionAdmin(ReadOnlyAdmin):
    """Who reacted with what, on the posts staff may read here."""

    list_display = ("emoji", "user", "post", "created_at")
    list_select_related = ("user", "post")
    search_fields = ("user__username", "user__display_name")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(post__in=_posts_staff_may_read())


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    """Who blocked whom (for handling harassment reports); only the person who
    blocked lifts a block."""

    list_display = ("blocker", "blocked", "created_at")
    list_select_related = ("blocker", "blocked")
    search_fields = ("blocker__username", "blocked__username")


@admin.register(ThreadRedirect)
class ThreadRedirectAdmin(ReadOnlyAdmin):
    """Merged threads' old ids and where they lead, written by `thread_merge` only."""

    list_display = ("old_thread_id", "thread", "created_at")
    list_select_related = ("thread",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log, read-only: entries are written by the moderation services only."""

    list_display = ("created_at", "community", "action", "target_label", "actor", "member")
    list_filter = ("action",)
    list_select_related = ("community", "actor", "member")
    search_fields = ("target_label", "reason", "community__name", "actor__username")
    date_hierarchy = "created_at"


class ReportInline(ReadOnlyInline):
    model = Report
    fields = ("reporter", "reason", "note", "created_at")


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    """Reported posts and their decisions, read-only: moderators decide from the
    site's review queue (claims, notices and audit entries go with the decision)."""

    list_display = ("pk", "community", "post", "status", "decision", "decided_by", "created_at")
    list_filter = ("status", "decision")
    list_select_related = ("community", "post", "decided_by")
    inlines = [ReportInline]


@admin.register(ModerationNotice)
class ModerationNoticeAdmin(ReadOnlyAdmin):
    list_display = ("user", "community", "kind", "decision", "created_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("user", "community")


@admin.register(WatchedWord)
class WatchedWordAdmin(ReadOnlyAdmin):
    """A community's watched words, read-only: moderators manage them from the
    community's moderation settings (each change has its audit entry)."""

    list_display = ("word", "community", "action", "replacement", "created_by", "created_at")
    list_filter = ("action",)
    list_select_related = ("community", "created_by")
    search_fields = ("word",)


@admin.register(HeldPost)
class HeldPostAdmin(ReadOnlyAdmin):
    """Posts held for approval, read-only: moderators approve or reject them from
    the community's held posts page (publishing, notices and audit go with it)."""

    list_display = ("pk", "community", "author", "thread", "why", "status", "created_at")
    list_filter = ("status", "why")
    list_select_related = ("community", "author", "thread")
