"""A firm asking the innovation desk for help on a draft reaches every active
facilitator: a notification (bell and live badge) naming the firm and the draft, that
opens the draft; asking again does not repeat it until a facilitator took the draft."""

import pytest
from django.urls import reverse

from innovation.services import desk
from live.models import Event
from notifications.models import Notification
from tests.innovation.factories_desk import (
    ChallengeFactory,
    FacilitatorFactory,
    OfferFactory,
    facilitator,
    person_of,
)
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]


def _notices(person):
    return Notification.objects.filter(
        recipient=person, event_type="desk.help_requested"
    )


def _page(client, person):
    client.force_login(person)
    return client.get(reverse("notifications:list")).content.decode()


@pytest.mark.parametrize("factory", [ChallengeFactory, OfferFactory])
def test_every_active_facilitator_hears_of_a_request_and_opens_the_draft(
    client, factory
):
    organisation = OrganisationFactory(name="Officine Brambilla")
    item = factory(organisation=organisation, status="draft", title="Smart irrigation")
    admin = person_of(organisation, "admin")
    member = person_of(organisation)
    first, second = facilitator(), facilitator()
    revoked = FacilitatorFactory(is_active=False).person
    unrelated = person_of(OrganisationFactory())
    staff = UserFactory(is_staff=True)

    desk.help_request(actor=admin, item=item)

    for person in (first, second):
        [notice] = _notices(person)
        assert notice.kind == Notification.Kind.DESK_HELP
        text = _page(client, person)
        assert (
            "Officine Brambilla asks the innovation desk for help with its draft "
            "“Smart irrigation”" in text
        )
        # The bell's live badge: a notification.created frame on their own stream.
        assert Event.objects.filter(
            stream=f"user:{person.pk}", type="notification.created"
        ).exists()
        opened = client.get(reverse("notifications:open", args=[notice.pk]))
        kind = "challenge" if factory is ChallengeFactory else "offer"
        assert opened["Location"] == reverse(
            "innovation:desk-item", args=[kind, item.pk]
        )
        page = client.get(opened["Location"])
        assert page.status_code == 200
        assert "Smart irrigation" in page.content.decode()
    for person in (revoked, unrelated, member, admin, staff):
        assert not _notices(person).exists()


def test_asking_again_does_not_repeat_the_notice_until_the_draft_is_taken(client):
    item = ChallengeFactory(status="draft", title="Hydrogen valves")
    admin = person_of(item.organisation, "admin")
    other_admin = person_of(item.organisation, "admin")
    helper = facilitator()
    other = facilitator()

    desk.help_request(actor=admin, item=item)
    desk.help_request(actor=admin, item=item)
    desk.help_request(actor=other_admin, item=item)
    assert _notices(helper).count() == 1
    assert _notices(other).count() == 1

    # Taken by one facilitator: the others' notice no longer shows (the draft is
    # not theirs to read any more); the taker's still leads to it.
    desk.draft_take(actor=helper, item=item)
    assert "Hydrogen valves" not in _page(client, other)
    assert "asks the innovation desk for help" in _page(client, helper)

    # Released, the firm may ask again: a new request is a new notice.
    item.refresh_from_db()
    desk.draft_release(actor=helper, item=item)
    item.refresh_from_db()
    desk.help_request(actor=admin, item=item)
    assert _notices(helper).count() == 2
    assert _notices(other).count() == 2
