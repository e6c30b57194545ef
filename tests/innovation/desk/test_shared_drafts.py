"""Help on drafts: the firm asks the desk, a facilitator takes the draft and may edit
it; another facilitator may not; the firm sees who helps."""

import pytest
from django.urls import reverse

from innovation import permissions
from innovation.models import Challenge, TechnologyOffer
from innovation.services import desk
from live.models import Event
from tests.innovation.desk.roles import ROLES, login, person
from tests.innovation.factories_desk import (
    ChallengeFactory,
    OfferFactory,
    facilitator,
    person_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _draft(factory=ChallengeFactory, **extra):
    return factory(status=Challenge.Status.DRAFT, **extra)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_a_draft_nobody_helps_with(role):
    item = _draft()
    someone = person(role, item)
    expected = role in ("firm_admin", "firm_member")
    assert permissions.can_edit_draft(someone or _anonymous(), item) is expected


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_the_assigned_facilitator_edits_the_draft_another_facilitator_does_not():
    helper, other = facilitator(), facilitator()
    item = _draft(OfferFactory)
    admin = person_of(item.organisation, "admin")

    desk.help_request(actor=admin, item=item)
    desk.draft_take(actor=helper, item=item)

    item.refresh_from_db()
    assert item.facilitator == helper
    assert permissions.can_edit_draft(helper, item)
    assert not permissions.can_edit_draft(other, item)
    assert Event.objects.filter(
        stream=f"user:{admin.pk}", type="desk.help_assigned"
    ).exists()


def test_a_revoked_facilitator_edits_no_more_and_the_draft_is_released(staff):
    helper = facilitator()
    item = _draft(facilitator=helper)

    desk.facilitator_revoke(actor=staff, person=helper)

    item.refresh_from_db()
    assert item.facilitator is None and not permissions.can_edit_draft(helper, item)


def test_a_draft_once_sent_for_validation_is_not_edited_by_its_helper():
    helper = facilitator()
    item = ChallengeFactory(facilitator=helper)  # in validation
    assert not permissions.can_edit_draft(helper, item)


def test_the_firm_asks_the_desk_the_desk_lists_it_and_a_facilitator_takes_it(client):
    item = _draft(title="Smart irrigation draft")
    admin = person_of(item.organisation, "admin")
    helper = facilitator()
    url = reverse("innovation:desk-item", args=["challenge", item.pk])

    login(client, admin).post(
        reverse("innovation:desk-item-help", args=["challenge", item.pk])
    )
    client.force_login(helper)
    desk_page = client.get(reverse("innovation:desk-home")).content.decode()
    assert (
        "Firms asking for help" in desk_page and "Smart irrigation draft" in desk_page
    )
    client.post(reverse("innovation:desk-item-take", args=["challenge", item.pk]))
    desk_page = client.get(reverse("innovation:desk-home")).content.decode()

    item.refresh_from_db()
    assert item.facilitator == helper
    assert desk_page.index("Drafts I help with") < desk_page.index(
        "Smart irrigation draft"
    )
    client.force_login(admin)
    firm_page = client.get(url).content.decode()
    assert (
        "Helped by" in firm_page
        and helper.name in firm_page
        and "Innovation desk" in firm_page
    )


@pytest.mark.parametrize("role", ["unrelated", "firm_member", "revoked_facilitator"])
def test_only_the_firms_admins_ask_and_only_facilitators_take(client, role):
    item = _draft()
    someone = person(role, item)
    login(client, someone).post(
        reverse("innovation:desk-item-help", args=["challenge", item.pk])
    )
    login(client, someone).post(
        reverse("innovation:desk-item-take", args=["challenge", item.pk])
    )
    item.refresh_from_db()
    assert item.help_requested_at is None and item.facilitator is None


def test_another_facilitator_cannot_read_a_draft_taken_by_a_colleague(client):
    item = _draft(facilitator=facilitator())
    client.force_login(facilitator())
    page = client.get(reverse("innovation:desk-item", args=["challenge", item.pk]))
    assert page.status_code == 404


def test_the_helper_steps_back(client):
    helper = facilitator()
    item = _draft(TechnologyOffer and OfferFactory, facilitator=helper)
    client.force_login(helper)
    client.post(reverse("innovation:desk-item-release", args=["offer", item.pk]))
    item.refresh_from_db()
    assert item.facilitator is None


def test_the_desk_panel_tag_shows_the_reason_and_the_way_to_ask_for_help(rf):
    from django.template import Context, Template

    item = _draft(refusal_reason="Name the target cost.")
    admin = person_of(item.organisation, "admin")
    request = rf.get("/")
    request.user = admin

    html = Template("{% load innovation_desk %}{% desk_panel item %}").render(
        Context({"item": item, "request": request})
    )

    assert "Name the target cost." in html and "Ask the innovation desk" in html


@pytest.mark.parametrize("factory", [ChallengeFactory, OfferFactory])
def test_a_revoked_facilitator_keeps_nothing_of_the_items_they_helped(client, factory):
    """Revoked while the item waited for validation, then refused back to draft: the
    former facilitator no longer opens, edits or follows it."""
    from django.test import override_settings

    helper = facilitator()
    item = factory(status="in_validation", facilitator=helper)
    staff = person_of(item.organisation)
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    desk.facilitator_revoke(actor=staff, person=helper)
    type(item).objects.filter(pk=item.pk).update(status="draft")
    item.refresh_from_db()
    assert item.facilitator_id == helper.pk  # still named on the row

    assert not permissions.can_edit_draft(helper, item)
    if factory is ChallengeFactory:
        assert not permissions.can_see_challenge(helper, item)
        assert not permissions.can_edit_challenge(helper, item)
        assert item not in permissions.challenges_visible_to(helper)
    else:
        assert not permissions.can_see_offer(helper, item)
        assert item not in permissions.offers_visible_to(helper)
    client.force_login(helper)
    with override_settings(DEBUG=False):
        assert client.get(item.get_absolute_url()).status_code == 404
