"""Search finds a challenge by its title, public summary and tags once published —
never a draft, never by its details, never by an anonymous seeker's name — and the
result names no seeker."""

import pytest
from django.urls import reverse

from innovation.services import challenges, validation
from search.models import Entry
from tests.innovation.factories_challenges import SeekerOrganisationFactory, facilitator
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_only_a_published_challenge_is_found_and_never_by_its_seeker(
    client, django_capture_on_commit_callbacks
):
    organisation = SeekerOrganisationFactory(name="Fonderia Riservata")
    seeker = person_of(organisation)
    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenges.challenge_create(
            actor=seeker,
            title="Leghe leggere riciclate",
            summary="Cerchiamo alluminio secondario per pressofusione.",
            details="Fornitore attuale: Metalli Nascosti.",
            tags=["pressofusione"],
            anonymous=True,
        )
        challenges.challenge_submit_for_validation(actor=seeker, challenge=challenge)
    assert not Entry.objects.filter(kind=Entry.Kind.CHALLENGE).exists()

    with django_capture_on_commit_callbacks(execute=True):
        validation.item_publish(actor=facilitator(), item=challenge)
    client.force_login(person_of())
    url = reverse("search:search")
    html = client.get(url, {"q": "pressofusione"}).content.decode()
    assert challenge.get_absolute_url() in html
    assert "Fonderia Riservata" not in html
    for words in ("Fonderia Riservata", "Metalli Nascosti"):
        html = client.get(url, {"q": words}).content.decode()
        assert challenge.get_absolute_url() not in html

    with django_capture_on_commit_callbacks(execute=True):
        challenges.challenge_close(
            actor=person_of(organisation, admin=True), challenge=challenge
        )
    html = client.get(url, {"q": "alluminio"}).content.decode()
    assert challenge.get_absolute_url() in html
