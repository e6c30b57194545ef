"""The regional dashboard (desk and staff) and an organisation's own funnel: the stages
counted from first contact to agreement, by theme, kind, size, province and month, as
charts with their tables and as CSV; nobody else sees the region's figures."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from innovation.models import Facilitator
from innovation.services import outcomes
from tests.support.workspaces import person_of

from .helpers import firm, funnel, interest_in, proposal_to, published_offer, university

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DASHBOARD = reverse("innovation:dashboard")
DASHBOARD_CSV = reverse("innovation:dashboard-csv")
MINE = reverse("innovation:organisation-funnel")


def facilitator(active=True):
    person = person_of()
    Facilitator.objects.create(person=person, is_active=active)
    return person


def staff():
    person = person_of()
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    return person


def table_row(html, header):
    """The cells of the first table row whose header is `header`."""
    import re

    match = re.search(rf"<tr><th scope=\"row\">{re.escape(header)}</th>(.*?)</tr>", html)
    assert match, f"no row {header!r}"
    return [int(cell) for cell in re.findall(r"<td>(\d+)%?</td>", match.group(1))]


def test_the_funnel_counts_each_stage_and_an_agreement(client):
    deal = funnel()
    outcomes.outcome_record(actor=deal.seeker_admin, workspace=deal.workspace, result="licence")
    client.force_login(facilitator())

    html = client.get(DASHBOARD).content.decode()

    # A question and a proposal are contacts; the proposal an interest; its
    # acceptance a workspace; the licence an agreement.
    assert table_row(html, "Contacts") == [2, 100]
    assert table_row(html, "Expressions of interest and proposals") == [1, 50]
    assert table_row(html, "Workspaces opened") == [1, 50]
    assert table_row(html, "Agreements") == [1, 50]
    # Counted for the university that took the steps: Pavia, large, university.
    assert table_row(html, "Pavia") == [2, 1, 1, 1]
    assert table_row(html, "University") == [2, 1, 1, 1]
    assert table_row(html, "Agri-food") == [2, 1, 1, 1]
    assert "<svg" in html and 'role="img"' in html


def test_no_agreement_is_not_an_agreement_and_an_empty_region_says_so(client):
    client.force_login(staff())
    assert "No contact, proposal or expression of interest" in client.get(DASHBOARD).content.decode()

    deal = funnel()
    outcomes.outcome_record(
        actor=deal.seeker_admin, workspace=deal.workspace, result="no_agreement"
    )
    html = client.get(DASHBOARD).content.decode()
    assert table_row(html, "Agreements") == [0, 0]


def test_the_csv_holds_the_same_figures(client):
    deal = funnel()
    outcomes.outcome_record(actor=deal.seeker_admin, workspace=deal.workspace, result="spin_off")
    client.force_login(facilitator())

    response = client.get(DASHBOARD_CSV)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Province", "Pavia", "2", "1", "1", "1"] in rows
    assert ["Organisation kind", "University", "2", "1", "1", "1"] in rows


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("anonymous", False),
        ("member of an organisation", False),
        ("revoked facilitator", False),
        ("facilitator", True),
        ("staff", True),
    ],
)
def test_only_the_desk_and_staff_see_the_region(client, who, allowed):
    funnel()
    person = {
        "anonymous": None,
        "member of an organisation": person_of,
        "revoked facilitator": lambda: facilitator(active=False),
        "facilitator": facilitator,
        "staff": staff,
    }[who]
    if person is not None:
        client.force_login(person())

    for url in (DASHBOARD, DASHBOARD_CSV):
        response = client.get(url)
        if allowed:
            assert response.status_code == 200
        elif person is None:
            assert response.status_code == 302 and "/accounts/login/" in response.url
        else:
            assert response.status_code == 403
            assert b"Pavia" not in response.content


def test_an_organisation_sees_only_its_own_funnel(client):
    deal = funnel()
    other = firm(name="Officine Bresciane", province="BS")
    other_person = person_of(other)
    offer = published_offer(university(name="Politecnico", province="MI"))
    interest_in(offer, other_person)

    client.force_login(deal.solver_person)
    mine = client.get(MINE).content.decode()
    assert table_row(mine, "Contacts") == [2, 100]
    assert "Brescia" not in mine
    assert deal.workspace.name in mine
    # The solver is no lead: it cannot record the outcome.
    assert reverse("innovation:outcome-record", args=[deal.workspace.pk]) not in mine

    client.force_login(deal.seeker_admin)
    assert reverse("innovation:outcome-record", args=[deal.workspace.pk]) in client.get(
        MINE
    ).content.decode()

    client.force_login(other_person)
    theirs = client.get(MINE).content.decode()
    assert table_row(theirs, "Contacts") == [1, 100]
    assert "Pavia" not in theirs


def test_someone_without_an_organisation_is_told_to_join_one(client):
    from tests.support.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(MINE)
    assert response.status_code == 403
    assert "Join an organisation to see its funnel" in response.content.decode()


def test_the_dashboard_reads_a_fixed_number_of_queries(client):
    deal = funnel()
    client.force_login(facilitator())
    client.get(DASHBOARD)  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    for n in range(6):
        solver = person_of(university(name=f"Ateneo {n}"))
        proposal_to(deal.challenge, solver, title=f"Proposta {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(DASHBOARD)
    assert len(many) == len(few)


def test_the_innovation_index_shows_my_funnel_and_the_next_calls(client):
    """The front page of the area counts my organisation's own funnel and lists the
    next funding calls by deadline; a stranger sees the calls but no funnel."""
    import datetime

    from django.utils import timezone

    from tests.innovation.factories_desk import FundingCallFactory

    deal = funnel()
    today = timezone.localdate()
    FundingCallFactory(title="Bando lontano", deadline=today + datetime.timedelta(days=90))
    FundingCallFactory(title="Bando vicino", deadline=today + datetime.timedelta(days=5))
    FundingCallFactory(title="Bando chiuso", deadline=today - datetime.timedelta(days=1))
    FundingCallFactory(title="Bando ritirato", status="withdrawn")
    index = reverse("innovation:index")

    client.force_login(deal.seeker_admin)
    html = client.get(index).content.decode()
    figures = html.split('class="row-stats innovation-funnel"')[1].split("</ul>")[0]
    # Two contacts (the question, the proposal), one proposal, one workspace, no deal.
    assert "<strong>2</strong> Contacts" in figures
    assert "<strong>1</strong> Expressions of interest and proposals" in figures
    assert "<strong>1</strong> Workspaces opened" in figures
    assert "<strong>0</strong> Agreements" in figures
    calls = html.split('id="funding-calls"')[1]
    assert calls.index("Bando vicino") < calls.index("Bando lontano")
    assert "Bando chiuso" not in calls
    client.force_login(facilitator())  # the desk sees withdrawn calls in its own list
    calls = client.get(index).content.decode().split('id="funding-calls"')[1]
    assert "Bando vicino" in calls and "Bando ritirato" not in calls

    client.force_login(person_of(firm(name="Altra impresa")))
    html = client.get(index).content.decode()
    assert "innovation-funnel" in html  # its own (empty) funnel
    assert "<strong>1</strong>" not in html.split('id="figures"')[1].split("</section>")[0]
    client.logout()
    html = client.get(index).content.decode()
    assert 'id="figures"' not in html
    assert "Bando vicino" in html
