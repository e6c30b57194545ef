"""A person's card, the popover a name opens: who sees it (whoever sees the profile),
who is offered "Send a message" (whoever the profile offers it), and that the button
starts the conversation."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from community.models import Thread
from community.services import direct
from tests.community.test_avatar_sizes import sized_url, with_avatar
from tests.community.thread_helpers import community_with_thread
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bruno():
    return with_avatar(
        UserFactory(
            display_name="Bruno Neri",
            organisation=OrganisationFactory(name="Fonderie Orobiche"),
        )
    )


def card(client, person):
    return client.get(
        reverse("community:person-card", args=[person.username]), headers=FETCH
    )


def start_url(person):
    return reverse("community:direct-with", args=[person.username])


def viewer(kind, bruno):
    """The reader of Bruno's card for each row of the matrix."""
    if kind == "visitor":
        return None
    if kind == "bruno":
        return bruno
    ada = UserFactory(display_name="Ada Rossi")
    if kind == "blocked":
        direct.person_block(actor=bruno, person=ada)
    elif kind == "blocker":
        direct.person_block(actor=ada, person=bruno)
    elif kind == "unverified":
        ada.emailaddress_set.update(verified=False)
    return ada


@pytest.mark.parametrize(
    "kind, may_message",
    [
        ("visitor", False),
        ("signed_in", True),
        ("bruno", False),
        ("blocked", False),
        ("blocker", False),
        ("unverified", False),
    ],
)
def test_the_card_offers_a_message_only_where_the_profile_does(
    client, bruno, kind, may_message
):
    reader = viewer(kind, bruno)
    if reader is not None:
        client.force_login(reader)

    response = card(client, bruno)
    profile = client.get(bruno.get_absolute_url()).content.decode()

    assert response.status_code == 200
    html = response.json()["html"]
    assert 'id="person-card-name">Bruno Neri<' in html
    assert "Fonderie Orobiche" in html
    assert f'src="{sized_url(bruno, 128)}" srcset="{sized_url(bruno, 256)} 2x"' in html
    assert f'href="{bruno.get_absolute_url()}" data-view-profile' in html
    assert (f'action="{start_url(bruno)}"' in html) is may_message
    assert ("Send a message" in html) is may_message
    # The same rule as the profile page's button, never a second one.
    assert (f'action="{start_url(bruno)}"' in profile) is may_message


def test_a_person_without_a_picture_shows_initials(client):
    plain = UserFactory(display_name="Carla Verdi")

    html = card(client, plain).json()["html"]

    assert (
        '<span class="avatar avatar--lg avatar--initials" aria-hidden="true">CV</span>'
        in html
    )


def test_an_inactive_account_has_no_card(client, bruno):
    client.force_login(UserFactory())
    bruno.is_active = False
    bruno.save(update_fields=["is_active"])

    assert card(client, bruno).status_code == 404
    assert (
        client.get(
            reverse("community:person-card", args=["nobody"]), headers=FETCH
        ).status_code
        == 404
    )


def test_without_the_fetch_header_the_card_leads_to_the_profile(client, bruno):
    response = client.get(reverse("community:person-card", args=[bruno.username]))

    assert response.status_code == 302
    assert response["Location"] == bruno.get_absolute_url()
    assert "X-Requested-With" in response["Vary"]


def test_the_card_s_button_opens_the_conversation(client, bruno):
    ada = UserFactory(display_name="Ada Rossi")
    client.force_login(ada)
    html = card(client, bruno).json()["html"]
    assert 'name="csrfmiddlewaretoken"' in html

    response = client.post(start_url(bruno))

    room = Thread.objects.get(community__kind="direct")
    assert response.status_code == 302
    assert response["Location"] == room.get_absolute_url()
    assert set(room.community.memberships.values_list("user", flat=True)) == {
        ada.pk,
        bruno.pk,
    }


def test_names_on_a_thread_page_open_the_card(client):
    _community, owner, thread = community_with_thread()

    page = client.get(thread.get_absolute_url()).content.decode()

    card_url = reverse("community:person-card", args=[owner.username])
    assert f'href="{owner.get_absolute_url()}" data-person-card="{card_url}"' in page
    # The avatar beside the post too, out of the keyboard's way (the name is the link).
    avatar = page.split('class="post__avatar"')[1].split("</div>")[0]
    assert f'data-person-card="{card_url}" tabindex="-1" aria-hidden="true"' in avatar
