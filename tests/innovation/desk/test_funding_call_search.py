"""Published funding calls are found by everyone through the search box; edits
reindex them and a withdrawn call is gone."""

import datetime

import pytest
from django.utils import timezone

from innovation.services import funding
from tests.innovation.factories_desk import facilitator
from tests.search.helpers import result_count, search_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _data(**changes):
    data = {
        "title": "Bando Transizione Digitale",
        "body": "Contributi per la manifattura additiva.",
        "deadline": timezone.localdate() + datetime.timedelta(days=40),
        "eligible_kinds": ["enterprise"],
        "sectors": ["manufacturing"],
        "link": "https://www.regione.lombardia.it/bandi/digitale",
    }
    data.update(changes)
    return data


def test_a_call_is_found_follows_its_edits_and_leaves_when_withdrawn(
    client, django_capture_on_commit_callbacks
):
    desk = facilitator()
    with django_capture_on_commit_callbacks(execute=True):
        call = funding.funding_call_publish(actor=desk, data=_data(), tags=["stampa3d"])
    html = search_page(client, None, "additiva")
    assert result_count(html) == 1 and "Bando Transizione Digitale" in html
    assert result_count(search_page(client, None, "tag:stampa3d")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        funding.funding_call_update(
            actor=desk, call=call, data=_data(body="Robotica collaborativa."), tags=[]
        )
    assert result_count(search_page(client, None, "additiva")) == 0
    assert result_count(search_page(client, None, "robotica")) == 1

    with django_capture_on_commit_callbacks(execute=True):
        funding.funding_call_withdraw(actor=desk, call=call)
    assert result_count(search_page(client, None, "robotica")) == 0
