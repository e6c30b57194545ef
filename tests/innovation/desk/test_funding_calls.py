"""Funding calls: the desk publishes, edits and withdraws them; everyone reads the
upcoming and closed ones; organisations see the calls that fit them, with why."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from innovation.models import FundingCall
from innovation.services import funding
from tests.innovation.desk.roles import login
from tests.innovation.factories_desk import (
    FacilitatorFactory,
    FundingCallFactory,
    facilitator,
    person_of,
)
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = reverse("innovation:funding-call-list")


def _form(**changes):
    data = {
        "title": "Call Hub Ricerca e Innovazione",
        "body": "Grants for **research** projects.",
        "deadline": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "eligible_kinds": ["enterprise", "university"],
        "sectors": ["manufacturing"],
        "link": "https://www.regione.lombardia.it/bandi/hub",
        "tags": "circular economy, robotics",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("anonymous", False),
        ("member", False),
        ("revoked", False),
        ("facilitator", True),
        ("staff", True),
    ],
)
def test_only_the_desk_publishes_a_call(client, role, allowed):
    someone = {
        "anonymous": None,
        "member": lambda: person_of(OrganisationFactory()),
        "revoked": lambda: FacilitatorFactory(is_active=False).person,
        "facilitator": facilitator,
        "staff": lambda: UserFactory(is_staff=True),
    }[role]
    login(client, someone() if someone else None).post(
        reverse("innovation:funding-call-create"), _form()
    )
    assert FundingCall.objects.exists() is allowed


def test_a_published_call_is_listed_rendered_and_credited_to_the_desk(client):
    desk = facilitator()
    client.force_login(desk)
    response = client.post(reverse("innovation:funding-call-create"), _form())
    call = FundingCall.objects.get()
    client.logout()

    detail = client.get(response["Location"]).content.decode()
    listed = client.get(LIST).content.decode()

    assert "<strong>research</strong>" in detail and "Innovation desk" in detail
    assert "Call Hub Ricerca e Innovazione" in listed
    assert sorted(t.name for t in call.tags.all()) == ["circular economy", "robotics"]


def test_validation_errors_are_shown_and_nothing_is_published(client):
    client.force_login(facilitator())
    page = client.post(
        reverse("innovation:funding-call-create"),
        _form(title="", eligible_kinds=[], link="nope"),
    )
    text = page.content.decode()
    assert "This field is required." in text and "Enter a valid URL." in text
    assert not FundingCall.objects.exists()


def test_the_desk_edits_and_withdraws_a_call(client):
    call = FundingCallFactory(title="Old title")
    client.force_login(facilitator())

    client.post(
        reverse("innovation:funding-call-edit", args=[call.pk]),
        _form(title="New title"),
    )
    client.post(reverse("innovation:funding-call-withdraw", args=[call.pk]))
    call.refresh_from_db()
    client.logout()

    assert call.title == "New title" and call.status == "withdrawn"
    assert client.get(call.get_absolute_url()).status_code == 404
    assert "New title" not in client.get(LIST).content.decode()


def test_a_member_cannot_edit_or_withdraw(client):
    call = FundingCallFactory(title="Stays")
    client.force_login(person_of(OrganisationFactory()))
    client.post(
        reverse("innovation:funding-call-edit", args=[call.pk]), _form(title="Changed")
    )
    client.post(reverse("innovation:funding-call-withdraw", args=[call.pk]))
    call.refresh_from_db()
    assert call.title == "Stays" and call.status == "published"


def test_upcoming_first_and_past_calls_in_the_closed_tab(client):
    today = timezone.localdate()
    FundingCallFactory(title="Later call", deadline=today + datetime.timedelta(days=90))
    FundingCallFactory(title="Sooner call", deadline=today + datetime.timedelta(days=5))
    FundingCallFactory(title="Past call", deadline=today - datetime.timedelta(days=5))

    upcoming = client.get(LIST).content.decode()
    closed = client.get(LIST + "?tab=closed").content.decode()

    assert upcoming.index("Sooner call") < upcoming.index("Later call")
    assert (
        "Past call" not in upcoming
        and "Past call" in closed
        and "Sooner call" not in closed
    )


def test_filters_by_kind_and_sector_and_the_empty_states(client):
    FundingCallFactory(
        title="For universities", eligible_kinds=["university"], sectors=["energy"]
    )
    FundingCallFactory(
        title="For firms", eligible_kinds=["enterprise"], sectors=["manufacturing"]
    )

    by_kind = client.get(LIST + "?kind=university").content.decode()
    by_sector = client.get(LIST + "?sector=manufacturing").content.decode()
    none = client.get(LIST + "?kind=public_body").content.decode()

    assert "For universities" in by_kind and "For firms" not in by_kind
    assert "For firms" in by_sector and "For universities" not in by_sector
    assert "No funding call matches these filters." in none
    FundingCall.objects.all().delete()
    assert "No funding call is open at the moment." in client.get(LIST).content.decode()


def test_the_list_is_paginated(client):
    for _ in range(22):
        FundingCallFactory()
    assert 'rel="next"' in client.get(LIST).content.decode()


@pytest.mark.parametrize("size", [2, 25])
def test_the_list_costs_the_same_few_queries_whatever_its_length(
    client, django_assert_max_num_queries, size
):
    organisation = OrganisationFactory(
        kind="enterprise", sector="Advanced manufacturing"
    )
    for _ in range(size):
        FundingCallFactory(tags=["robotics"])
    client.force_login(person_of(organisation))
    # user, affiliation, count, page of calls, their tags; the suggestions: the
    # organisation's competences and interests, dismissals, calls and their tags;
    # navigation (communities, workspaces, moderation figures).
    with django_assert_max_num_queries(16):
        assert client.get(LIST).status_code == 200


def test_suggestions_fit_the_organisations_kind_and_rank_by_what_they_share(client):
    organisation = OrganisationFactory(
        kind="enterprise", sector="Advanced manufacturing"
    )
    organisation.competences.add("robotics")
    organisation.interests.add("circular economy")
    both = FundingCallFactory(
        title="Robots and circularity", tags=["robotics", "circular economy"]
    )
    one = FundingCallFactory(title="Only robots", tags=["robotics"], sectors=[])
    FundingCallFactory(
        title="Not for firms", eligible_kinds=["university"], tags=["robotics"]
    )
    FundingCallFactory(title="Nothing shared", sectors=["energy"], tags=["hydrogen"])

    suggested = funding.funding_calls_suggested(organisation)

    assert [s.call for s in suggested] == [both, one]
    assert (
        "Advanced manufacturing" in suggested[0].reasons
        and "robotics" in suggested[0].reasons
    )
    client.force_login(person_of(organisation))
    page = client.get(LIST).content.decode()
    assert "Suggested for" in page and "Because you share: robotics" in page


def test_no_suggestions_without_an_organisation(client):
    FundingCallFactory(tags=["robotics"])
    client.force_login(UserFactory())
    assert "Suggested for" not in client.get(LIST).content.decode()


def test_a_sector_code_inside_another_word_is_no_shared_sector():
    organisation = OrganisationFactory(kind="enterprise", sector="District heating")
    FundingCallFactory(sectors=["ict"])
    assert funding.funding_calls_suggested(organisation) == []
    organisation.sector = "ICT"
    organisation.save()
    assert [s.sectors for s in funding.funding_calls_suggested(organisation)] == [
        ["ICT and digital"]
    ]


def test_withdrawing_asks_first(client):
    """Withdrawing a call or an offer is a form that asks before it is sent (the
    page's script reads `data-confirm`), so a slip of the mouse does not end it."""
    from tests.innovation.factories_offers import offer_world

    call = FundingCallFactory()
    client.force_login(facilitator())
    page = client.get(call.get_absolute_url()).content.decode()
    form = page.split(reverse("innovation:funding-call-withdraw", args=[call.pk]))[1]
    assert form.split(">")[0].startswith('" data-confirm="Withdraw this funding call?')

    world = offer_world(status="published")
    client.force_login(world.person("owner"))
    page = client.get(world.offer.get_absolute_url()).content.decode()
    form = page.split(reverse("innovation:offer-withdraw", args=[world.offer.pk]))[1]
    assert form.split(">")[0].startswith('" data-confirm="Withdraw this offer?')
