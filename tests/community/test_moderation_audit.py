"""The moderation audit log: written by every moderation service with its action,
never editable, shown to the community's moderators and staff, filterable, exported."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from community.models import AuditEntry, Community, Membership
from community.services import moderation, threads
from tests.community.thread_helpers import community_with_thread, login
from tests.support.factories import CommunityFactory, UserFactory
from tests.support.roles import member_of, person_in
from tests.support.workspaces import make_workspace, workspace_roles

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_default")]


Action = AuditEntry.Action
Role = Membership.Role


def _row(person, community):
    return Membership.objects.select_related("user", "community").get(
        user=person, community=community
    )


def _person(community, role):
    """People of the matrix: the community's roles, a moderator of another community
    and a member silenced for a day."""
    if role == "other_moderator":
        return person_in(CommunityFactory(), "moderator")
    if role == "silenced":
        return person_in(community, "muted")
    return person_in(community, role)


# --- every service writes its entry -----------------------------------------------------


def _ban(actor, community, target, _thread):
    moderation.membership_ban(
        actor=actor, membership=_row(target, community), reason="spam"
    )


def _unban(actor, community, target, _thread):
    moderation.membership_ban(actor=actor, membership=_row(target, community))
    moderation.membership_unban(actor=actor, membership=_row(target, community))


def _remove(actor, community, target, _thread):
    moderation.membership_remove(actor=actor, membership=_row(target, community))


def _silence(actor, community, target, _thread):
    moderation.membership_mute(
        actor=actor,
        membership=_row(target, community),
        until=timezone.now() + timedelta(hours=2),
        reason="toni accesi",
    )


def _unsilence(actor, community, target, thread):
    _silence(actor, community, target, thread)
    moderation.membership_unmute(actor=actor, membership=_row(target, community))


def _lock(actor, _community, _target, thread):
    moderation.thread_lock(actor=actor, thread=thread)


def _unlock(actor, community, target, thread):
    _lock(actor, community, target, thread)
    moderation.thread_unlock(actor=actor, thread=thread)


def _pin(actor, _community, _target, thread):
    moderation.thread_pin(actor=actor, thread=thread)


def _unpin(actor, community, target, thread):
    _pin(actor, community, target, thread)
    moderation.thread_unpin(actor=actor, thread=thread)


def _hide(actor, _community, target, thread):
    post = threads.post_reply(actor=target, thread=thread, body="Offerta imperdibile!")
    moderation.post_hide(actor=actor, post=post, reason="pubblicità")


def _unhide(actor, community, target, thread):
    _hide(actor, community, target, thread)
    moderation.post_unhide(actor=actor, post=thread.posts.get(author=target))


SERVICES = {
    Action.MEMBER_BANNED: _ban,
    Action.MEMBER_UNBANNED: _unban,
    Action.MEMBER_REMOVED: _remove,
    Action.MEMBER_SILENCED: _silence,
    Action.MEMBER_UNSILENCED: _unsilence,
    Action.THREAD_LOCKED: _lock,
    Action.THREAD_UNLOCKED: _unlock,
    Action.THREAD_PINNED: _pin,
    Action.THREAD_UNPINNED: _unpin,
    Action.POST_HIDDEN: _hide,
    Action.POST_UNHIDDEN: _unhide,
}


@pytest.mark.parametrize("action", list(SERVICES))
def test_every_moderation_service_writes_one_entry(action):
    community, owner, thread = community_with_thread()
    target = member_of(community)
    SERVICES[action](owner, community, target, thread)
    entry = AuditEntry.objects.get(action=action)
    assert entry.community == community
    assert entry.actor == owner
    if action.startswith("member."):
        assert entry.member == target
        assert target.username in entry.target_label
    elif action.startswith("thread."):
        assert entry.thread_id_ref == thread.pk
        assert entry.target_label == thread.title
    else:
        post = thread.posts.get(author=target)
        assert (entry.post_id_ref, entry.thread_id_ref) == (post.pk, thread.pk)
        assert entry.member == target
        # The label names the post; it never copies the text a hide takes away.
        assert "Offerta" not in entry.target_label
    assert AuditEntry.objects.filter(action=action).count() == 1


def test_reasons_and_silence_ends_are_kept():
    community, owner, thread = community_with_thread()
    target = member_of(community)
    _hide(owner, community, target, thread)
    _silence(owner, community, target, thread)
    silence = AuditEntry.objects.get(action=Action.MEMBER_SILENCED)
    assert silence.reason == "toni accesi"
    assert silence.until == _row(target, community).muted_until
    assert AuditEntry.objects.get(action=Action.POST_HIDDEN).reason == "pubblicità"


def test_refused_or_idle_actions_write_nothing():
    community, owner, thread = community_with_thread()
    member = member_of(community)
    with pytest.raises(PermissionDenied):
        moderation.thread_lock(actor=member, thread=thread)
    with pytest.raises(PermissionDenied):
        moderation.membership_ban(actor=member, membership=_row(owner, community))
    moderation.thread_unpin(actor=owner, thread=thread)  # was not pinned
    moderation.membership_unmute(actor=owner, membership=_row(member, community))
    assert not AuditEntry.objects.exists()


def test_an_action_rolled_back_leaves_no_entry(monkeypatch):
    """The entry is written in the action's transaction: if the action fails after
    it, neither stays."""
    community, owner, thread = community_with_thread()
    post = threads.post_reply(actor=member_of(community), thread=thread, body="Testo")

    real_audit_record = moderation.audit_record

    def fail_after_the_entry(*args, **kwargs):
        real_audit_record(*args, **kwargs)
        assert AuditEntry.objects.exists()  # written, inside the transaction
        raise RuntimeError("the action failed after its entry")

    monkeypatch.setattr(moderation, "audit_record", fail_after_the_entry)
    with pytest.raises(RuntimeError):
        moderation.post_hide(actor=owner, post=post)
    post.refresh_from_db()
    assert not post.is_hidden
    assert not AuditEntry.objects.exists()


def test_entries_are_never_changed_or_deleted():
    community, owner, thread = community_with_thread()
    moderation.thread_lock(actor=owner, thread=thread)
    entry = AuditEntry.objects.get()
    entry.reason = "riscritto"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        AuditEntry.objects.update(reason="riscritto")
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get().reason == ""


def test_admin_shows_the_log_read_only(client):
    community, owner, thread = community_with_thread()
    moderation.thread_lock(actor=owner, thread=thread)
    entry = AuditEntry.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:community_auditentry_changelist"))
    assert listing.status_code == 200
    assert thread.title in listing.content.decode()
    assert client.get(reverse("admin:community_auditentry_add")).status_code == 403
    page = client.post(
        reverse("admin:community_auditentry_change", args=[entry.pk]), {"reason": "x"}
    )
    assert page.status_code == 403
    assert AuditEntry.objects.get().reason == ""


# --- who sees the pages ------------------------------------------------------------------

ROLES = (
    "anonymous",
    "member",
    "silenced",
    "banned",
    "moderator",
    "other_moderator",
    "owner",
    "staff",
)
SEE = {"moderator", "owner", "staff"}
PAGES = ("community:moderation-home", "community:audit-log", "community:audit-log-csv")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_moderation_pages_by_role(client, page, role):
    community, owner, thread = community_with_thread()
    moderation.thread_lock(actor=owner, thread=thread)
    person = owner if role == "owner" else _person(community, role)
    response = login(client, person).get(reverse(page, args=[community.slug]))
    body = response.content.decode()
    if role in SEE:
        assert response.status_code == 200
        assert thread.title in body
    elif role == "anonymous":
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    else:
        assert response.status_code == 403
        assert thread.title not in body


@pytest.mark.parametrize("role", ["banned", "other_moderator", "anonymous"])
def test_private_community_log_is_not_found_for_outsiders(client, role):
    community, owner, thread = community_with_thread(Community.Visibility.PRIVATE)
    moderation.thread_lock(actor=owner, thread=thread)
    response = login(client, _person(community, role)).get(
        reverse("community:audit-log", args=[community.slug])
    )
    assert response.status_code == 404


def test_moderation_tab_only_for_moderators(client):
    community, owner, _thread = community_with_thread()
    home = reverse("community:moderation-home", args=[community.slug])
    detail = reverse("community:community-detail", args=[community.slug])
    assert home in login(client, owner).get(detail).content.decode()
    client.force_login(member_of(community))
    assert home not in client.get(detail).content.decode()


def test_workspace_leads_moderate_its_discussion(client):
    workspace = make_workspace()
    roles = workspace_roles(workspace)
    discussion = workspace.community
    thread = discussion.threads.first()
    post = threads.post_reply(actor=roles.member, thread=thread, body="Fuori tema")
    moderation.post_hide(actor=roles.lead, post=post, reason="fuori tema")
    url = reverse("community:audit-log", args=[discussion.slug])
    page = login(client, roles.lead).get(url)
    assert page.status_code == 200
    assert "fuori tema" in page.content.decode()
    client.force_login(roles.member)
    assert client.get(url).status_code == 403
    client.force_login(roles.stranger)
    assert client.get(url).status_code == 404
    client.force_login(roles.staff)
    assert client.get(url).status_code == 200


# --- filters, pages, export ---------------------------------------------------------------


def _busy_community():
    community, owner, thread = community_with_thread()
    moderator = member_of(community, "moderator")
    alice, bruno = member_of(community), member_of(community)
    moderation.thread_lock(actor=owner, thread=thread)
    moderation.membership_mute(
        actor=moderator,
        membership=_row(alice, community),
        until=timezone.now() + timedelta(days=1),
        reason='=HYPERLINK("http://x")',
    )
    moderation.membership_remove(actor=moderator, membership=_row(bruno, community))
    return community, owner, moderator, alice, bruno


def test_log_filters_by_moderator_action_and_member(client):
    community, owner, moderator, alice, bruno = _busy_community()
    url = reverse("community:audit-log", args=[community.slug])
    client.force_login(owner)

    def shown(**query):
        body = client.get(url, query).content.decode()
        return {
            label
            for label in ("@" + alice.username, "@" + bruno.username, "Sensori")
            if label in body.split('id="audit-heading"')[1].split("</form>")[1]
        }

    assert shown() == {"@" + alice.username, "@" + bruno.username, "Sensori"}
    assert shown(actor=moderator.pk) == {"@" + alice.username, "@" + bruno.username}
    assert shown(action=Action.THREAD_LOCKED) == {"Sensori"}
    assert shown(member=bruno.pk) == {"@" + bruno.username}
    assert shown(actor=owner.pk, member=bruno.pk) == set()
    assert (
        "No action matches these filters."
        in client.get(url, {"actor": owner.pk, "member": bruno.pk}).content.decode()
    )


def test_log_paginates_with_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, monkeypatch
):
    from community.views import moderation as views

    monkeypatch.setattr(views, "AUDIT_PER_PAGE", 3)
    community, owner, thread = community_with_thread()
    for _ in range(4):
        moderation.thread_lock(actor=owner, thread=thread)
        moderation.thread_unlock(actor=owner, thread=thread)
    url = reverse("community:audit-log", args=[community.slug])
    client.force_login(owner)
    with django_assert_max_num_queries(20):
        first = client.get(url, {"action": Action.THREAD_LOCKED}).content.decode()
    assert first.count('class="audit-entry"') == 3
    second = client.get(
        url, {"action": Action.THREAD_LOCKED, "page": 2}
    ).content.decode()
    assert second.count('class="audit-entry"') == 1
    # The pages keep the filter.
    assert "action=thread.locked" in first


def test_csv_export_keeps_filters_and_defuses_formulas(client):
    community, owner, moderator, alice, _bruno = _busy_community()
    client.force_login(moderator)
    response = client.get(
        reverse("community:audit-log-csv", args=[community.slug]), {"member": alice.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    header, row = rows
    assert len(header) == len(row) == 9
    assert "@" + alice.username in row[4]
    assert row[7] == '\'=HYPERLINK("http://x")'
    assert row[8]  # the silence's end


def test_entries_outlive_the_accounts_they_name():
    community, owner, thread = community_with_thread()
    moderator = member_of(community, "moderator")
    target = member_of(community)
    moderation.membership_remove(actor=moderator, membership=_row(target, community))
    moderator.delete()
    target.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.member is None
    assert target.username in entry.target_label


def test_entries_name_a_change_a_change_and_a_reason_a_reason(client):
    """A setting's change and a watched word's action are labelled as such, not as a
    reason; a warning's reason stays a reason. Every entry: what, then who and when,
    then that line."""
    import re

    from community.services import reports, rules

    community, owner, _thread = community_with_thread()
    member = member_of(community)
    reports.moderation_settings_change(
        actor=owner, community=community, report_threshold=5
    )
    rules.watched_word_add(
        actor=owner, community=community, word="truffa", action="block"
    )
    moderation.membership_warn(
        actor=owner, membership=_row(member, community), reason="Resta in tema"
    )
    login(client, owner)
    html = client.get(
        reverse("community:audit-log", args=[community.slug])
    ).content.decode()
    entries = re.findall(r'<li class="audit-entry">(.*?)</li>', html, re.S)
    assert len(entries) == 3
    lines = {
        re.search(r"<strong>(.*?)</strong>", entry).group(1): re.sub(
            r"\s+",
            " ",
            re.search(r'audit-entry__reason">(.*?)</p>', entry, re.S).group(1),
        ).strip()
        for entry in entries
    }
    assert lines["Change moderation settings"] == "Change: 3 → 5"
    assert lines["Watch a word"].startswith("What happens: Block")
    assert lines["Warn"] == "Reason: Resta in tema"
    for entry in entries:
        # What, then who and when (the meta line), then the reason or change.
        assert entry.index("audit-entry__what") < entry.index('class="meta"')
        assert entry.index('class="meta"') < entry.index("audit-entry__reason")
