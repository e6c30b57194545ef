"""Reads for workspace pages: "My workspaces" with unread counts, the dashboard, the
activity feed and the people page."""

from allauth.account.models import EmailAddress
from django.db.models import (
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from community import permissions as community_permissions
from community.models import Affiliation, Organisation, Thread, User
from community.queries import prepared
from community.queries import unread as unread_queries
from live.models import Event

from .. import permissions
from ..models import (
    Document,
    Invitation,
    Milestone,
    Participant,
    Partner,
    StageChange,
    Workspace,
)
from . import documents as document_queries
from . import tasks as task_queries

ACTIVITY_PAGE = 20
NAV_WORKSPACES = 10
DASHBOARD_DOCUMENTS = 5
DASHBOARD_MILESTONES = 5

# Unread counts stop there (shown as "99+").
UNREAD_CAP = 99


def _stream_of_workspace(ref):
    """`workspace:<id>` in SQL for the workspace id `ref` (an OuterRef)."""
    return Concat(Value("workspace:"), Cast(ref, CharField()), output_field=CharField())


def _unread(user):
    """Events of the workspace's stream after what the person has seen, but their own
    and those the feed does not show; counted up to UNREAD_CAP + 1 only (the page says
    "99+"), so a long absence costs no more than a short one."""
    unread = (
        Event.objects.filter(
            stream=_stream_of_workspace(OuterRef(OuterRef("pk"))),
            seq__gt=OuterRef(OuterRef("my_last_seen")),
        )
        .exclude(actor=user)
        .exclude(type__in=permissions.ACTIVITY_HIDDEN_FROM_EVERYONE)
        .exclude(type__in=permissions.ACTIVITY_FOR_LEADS)
        .order_by()
        .values("pk")[: UNREAD_CAP + 1]
    )
    return Coalesce(
        Subquery(
            Event.objects.filter(pk__in=unread)
            .order_by()
            .annotate(group=Value(1))
            .values("group")
            .annotate(count=Count("pk"))
            .values("count")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def my_workspaces(user, *, archived=None):
    """The workspaces the user takes part in, with `unread` (events since they last
    opened the dashboard, at most UNREAD_CAP + 1), `my_role`, and the partner count,
    newest activity first."""
    participations = Participant.objects.filter(user=user, workspace=OuterRef("pk"))
    workspaces = (
        permissions.workspaces_participated_by(user)
        .annotate(
            my_role=Subquery(participations.values("role")[:1]),
            my_last_seen=Subquery(participations.values("last_seen_seq")[:1]),
        )
        .annotate(
            unread=_unread(user),
            partner_count=Count("partners", distinct=True),
        )
        .order_by("archived_at", "name")
    )
    if archived is True:
        workspaces = workspaces.filter(archived_at__isnull=False)
    elif archived is False:
        workspaces = workspaces.filter(archived_at__isnull=True)
    return workspaces


def my_workspace_rows(user, *, archived=None, limit=None):
    """`my_workspaces` as a list, each with `my_role_label` for the page."""
    rows = my_workspaces(user, archived=archived)
    return _labelled(list(rows[:limit] if limit else rows))


def _labelled(rows):
    for row in rows:
        row.my_role_label = Participant.Role(row.my_role).label if row.my_role else ""
        row.unread_label = (
            f"{UNREAD_CAP}+" if row.unread > UNREAD_CAP else str(row.unread)
        )
    return rows


def all_workspaces_for_staff(user):
    """Every workspace, for site staff (read-only), by name."""
    return (
        permissions.workspaces_visible_to(user)
        .annotate(partner_count=Count("partners", distinct=True))
        .order_by("name")
    )


def nav_workspaces(user):
    """The sidebar's "My workspaces": open ones, with their unread counts (on every
    page: the statement is compiled once, `prepared.person_rows`)."""
    return _labelled(
        prepared.person_rows(
            "nav_workspaces",
            lambda person: my_workspaces(person, archived=False)[:NAV_WORKSPACES],
            user,
        )
    )


def partners(workspace):
    return list(
        Partner.objects.filter(workspace=workspace)
        .select_related("organisation")
        .order_by("joined_at")
    )


def participants(workspace, *, by_name=False):
    """The workspace's people, by organisation and role (the people page), or
    `by_name` (the assignee choices of tasks), each with `affiliated`: do they still
    belong to the organisation they take part for? (Only a last lead stays once they
    left it.)"""
    affiliated = Affiliation.objects.filter(
        user=OuterRef("user"),
        organisation=OuterRef("organisation"),
        state=Affiliation.State.ACTIVE,
    )
    order = (
        ("user__display_name", "user__username")
        if by_name
        else ("organisation__name", "-role", "joined_at")
    )
    return list(
        Participant.objects.filter(workspace=workspace)
        .select_related("user__organisation", "organisation")
        .annotate(affiliated=Exists(affiliated))
        .order_by(*order)
    )


def stage_history(workspace):
    return list(
        StageChange.objects.filter(workspace=workspace)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )


def pending_invitations(workspace):
    return list(
        Invitation.objects.filter(
            workspace=workspace,
            state=Invitation.State.PENDING,
        )
        .select_related(
            "organisation", "invitee", "invited_by", "organisation_accepted_by"
        )
        .order_by("-created_at")
    )


def _documents(workspace):
    """The latest documents: current ones, newest first."""
    return list(
        Document.objects.filter(workspace=workspace, deleted_at__isnull=True)
        .select_related("created_by")
        .order_by("-updated_at")[:DASHBOARD_DOCUMENTS]
    )


def _milestones(workspace):
    """The open milestones, soonest first: overdue ones stay listed, marked
    `is_overdue`."""
    today = timezone.localdate()
    rows = list(
        Milestone.objects.filter(
            workspace=workspace, completed_at__isnull=True
        ).order_by("due_date", "pk")[:DASHBOARD_MILESTONES]
    )
    for milestone in rows:
        milestone.is_overdue = milestone.due_date < today
    return rows


def activity(user, workspace, *, before=None, limit=ACTIVITY_PAGE):
    """The newest events of the workspace's stream the user's feed shows (before seq
    `before`), each with its `actor` and `template`, and the seq to ask for older
    ones (or None).

    Comment events get their `thread` (title and link read now, from the current
    state); the other types carry what their templates show in their payload."""
    events = Event.objects.filter(stream=workspace.stream).exclude(
        type__in=permissions.activity_hidden_from(user, workspace)
    )
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(
        events.select_related("actor__organisation").order_by("-seq")[: limit + 1]
    )
    older = rows[limit - 1].seq if len(rows) > limit else None
    rows = rows[:limit]
    _attach_subjects(user, workspace, rows)
    document_queries.events_documents(user, workspace, rows)
    task_queries.events_tasks(workspace, rows)
    for event in rows:
        # Each type's own template (the app that records it writes it), else a
        # plain sentence.
        event.template = [
            "workspaces/activity/{}.html".format(event.type.replace(".", "_")),
            "workspaces/activity/default.html",
        ]
    return rows, older


def _attach_subjects(user, workspace, events):
    """What the feed's sentences name, read in one query per kind; threads only
    those `user` may read (a deleted document's thread is hidden from non-leads)."""
    thread_ids = {
        event.payload.get("thread")
        for event in events
        if event.type == "comment.posted"
    }
    threads = {
        thread.pk: thread
        for thread in community_permissions.threads_visible_to(
            user,
            Thread.objects.filter(
                pk__in=[pk for pk in thread_ids if isinstance(pk, int)],
                community_id=workspace.community_id,
            ),
        ).select_related("community")
    }
    people = {}
    organisations = {}
    user_ids = {
        event.payload.get("user")
        for event in events
        if event.type.startswith("participant.")
    }
    org_ids = {
        event.payload.get("organisation")
        for event in events
        if event.type.startswith(("partner.", "participant."))
    }
    if user_ids:
        people = {
            person.pk: person
            for person in User.objects.filter(
                pk__in=[pk for pk in user_ids if isinstance(pk, int)]
            )
        }
    if org_ids:
        organisations = {
            organisation.pk: organisation
            for organisation in Organisation.objects.filter(
                pk__in=[pk for pk in org_ids if isinstance(pk, int)]
            )
        }
    for event in events:
        data = event.payload
        event.data = data
        event.thread = threads.get(data.get("thread"))
        event.person = people.get(data.get("user"))
        event.organisation = organisations.get(data.get("organisation"))
        event.post_url = (
            reverse("community:post-permalink", args=[data["post"]])
            if event.thread is not None and isinstance(data.get("post"), int)
            else ""
        )
        event.stage_label = _label(Workspace.Stage, data.get("to"))
        event.role_label = _label(Participant.Role, data.get("role"))
        event.partner_role_label = _label(Partner.Role, data.get("role"))


def _label(choices, value):
    """The (translated) label of a choice stored in a payload; the raw value when the
    choice is gone."""
    try:
        return choices(value).label
    except ValueError:
        return value or ""


def dashboard(user, workspace):
    """The dashboard's context: partners, people, stage, next milestones, latest
    documents and the first page of activity."""
    events, older = activity(user, workspace)
    return {
        "partners": partners(workspace),
        "participants": participants(workspace),
        "milestones": _milestones(workspace),
        "documents": _documents(workspace),
        "events": events,
        "older": older,
        "stage_history": stage_history(workspace)[:5],
    }


def consent_requests(user):
    """Open invitations of the organisations the user administers waiting for their
    consent, and the open invitations addressed to the user."""
    for_organisation = list(
        permissions.invitations_for_consent(user)
        .select_related("workspace", "organisation", "invitee", "invited_by")
        .order_by("-created_at")
    )
    addresses = EmailAddress.objects.filter(user=user, verified=True).values("email")
    mine = list(
        Invitation.objects.filter(
            Q(invitee=user) | Q(invitee__isnull=True, email__in=addresses),
            state=Invitation.State.PENDING,
            expires_at__gt=timezone.now(),
            workspace__archived_at__isnull=True,
        )
        .select_related("workspace", "organisation", "invited_by")
        .order_by("-created_at")
    )
    return {"for_organisation": for_organisation, "mine": mine}


def organisations_administered(user):
    return Affiliation.objects.filter(
        user=user, role=Affiliation.Role.ADMIN, state=Affiliation.State.ACTIVE
    ).values_list("organisation_id", flat=True)


def level_selector(user, workspace):
    """The dashboard's level selector for a participant (their membership of the
    discussion holds the level), else None."""
    community = workspace.community
    if not community_permissions.can_set_community_level(user, community):
        return None
    membership = community_permissions.membership_of(user, community)
    return unread_queries.level_selector("community", membership.level)
