"""Recording how a deal ended: a lead of a workspace born from the funnel, once; it
archives the workspace; nobody else can, and bad input changes nothing."""

import pytest
from django.urls import reverse

from innovation.models import Outcome
from tests.support.workspaces import make_workspace, person_of
from workspaces.models import Workspace

from .helpers import funnel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(workspace):
    return reverse("innovation:outcome-record", args=[workspace.pk])


def test_a_lead_records_the_outcome_and_the_workspace_is_archived(client):
    deal = funnel()
    client.force_login(deal.seeker_admin)

    page = client.get(url(deal.workspace))
    assert "Record the outcome" in page.content.decode()
    response = client.post(url(deal.workspace), {"result": "licence", "value_band": "50k_250k"})

    assert response.status_code == 302
    outcome = Outcome.objects.get(workspace=deal.workspace)
    assert (outcome.result, outcome.value_band, outcome.recorded_by) == (
        "licence",
        "50k_250k",
        deal.seeker_admin,
    )
    assert Workspace.objects.get(pk=deal.workspace.pk).is_archived
    funnel_page = client.get(response.url).content.decode()
    assert "The outcome is recorded and the workspace archived." in funnel_page
    assert "Licence · €50,000–250,000" in funnel_page


@pytest.mark.parametrize("who", ["solver participant", "outsider", "anonymous"])
def test_only_its_leads_record_it(client, who):
    deal = funnel()
    person = {
        "solver participant": deal.solver_person,
        "outsider": person_of(),
        "anonymous": None,
    }[who]
    if person is not None:
        client.force_login(person)

    response = client.post(url(deal.workspace), {"result": "licence"})

    assert response.status_code in (302, 403)
    if person is None:
        assert "/accounts/login/" in response.url
    assert not Outcome.objects.exists()
    assert not Workspace.objects.get(pk=deal.workspace.pk).is_archived


def test_a_workspace_opened_by_hand_has_no_funnel_outcome(client):
    lead = person_of(admin=True)
    workspace = make_workspace(lead=lead)
    client.force_login(lead)

    response = client.post(url(workspace), {"result": "licence"})

    assert response.status_code == 403
    assert "not opened from a challenge or a technology offer" in response.content.decode()
    assert not Outcome.objects.exists()


def test_it_is_recorded_once(client):
    deal = funnel()
    client.force_login(deal.seeker_admin)
    client.post(url(deal.workspace), {"result": "no_agreement", "value_band": "over_1m"})

    again = client.post(url(deal.workspace), {"result": "licence"})

    assert again.status_code == 403
    outcome = Outcome.objects.get()
    # "No agreement" carries no value.
    assert (outcome.result, outcome.value_band) == ("no_agreement", "")


def test_a_bad_result_is_refused_with_a_message_and_changes_nothing(client):
    deal = funnel()
    client.force_login(deal.seeker_admin)

    response = client.post(url(deal.workspace), {"result": "merger", "value_band": "lots"})

    assert response.status_code == 200
    text = response.content.decode()
    assert "Select a valid choice" in text
    assert not Outcome.objects.exists()
    assert not Workspace.objects.get(pk=deal.workspace.pk).is_archived
