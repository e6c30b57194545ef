"""The facilitator role is granted and revoked by staff, in the admin too, through the
desk's services (recorded as events); never by anyone else."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from innovation import permissions
from innovation.models import Facilitator
from innovation.services import desk
from live.models import Event
from tests.innovation.factories_desk import facilitator, person_of
from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _admin_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_granting_in_the_admin_goes_through_the_service():
    person = UserFactory()
    broker = OrganisationFactory(kind="broker")

    response = _admin_client().post(
        reverse("admin:innovation_facilitator_add"),
        {"person": person.pk, "organisation": broker.pk},
    )

    row = Facilitator.objects.get(person=person)
    assert response.status_code == 302
    assert row.is_active and row.organisation == broker and row.granted_by is not None
    assert Event.objects.filter(
        stream=f"user:{person.pk}", type="desk.facilitator_granted"
    ).exists()
    assert permissions.is_facilitator(person)


def test_revoking_in_the_admin_goes_through_the_service_and_keeps_the_row():
    person = facilitator()
    row = Facilitator.objects.get(person=person)

    _admin_client().post(
        reverse("admin:innovation_facilitator_changelist"),
        {"action": "facilitator_revoke", "_selected_action": [row.pk]},
    )

    row.refresh_from_db()
    assert not row.is_active and not permissions.is_facilitator(person)
    assert Event.objects.filter(
        stream=f"user:{person.pk}", type="desk.facilitator_revoked"
    ).exists()


def test_a_facilitator_row_cannot_be_deleted_nor_its_activity_edited_in_the_form():
    row = Facilitator.objects.get(person=facilitator())
    client = _admin_client()
    page = client.get(
        reverse("admin:innovation_facilitator_change", args=[row.pk])
    ).content.decode()
    assert 'name="is_active"' not in page
    assert (
        client.post(
            reverse("admin:innovation_facilitator_delete", args=[row.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert Facilitator.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("who", ["member", "facilitator"])
def test_only_staff_grant_or_revoke(who):
    actor = person_of(OrganisationFactory()) if who == "member" else facilitator()
    person = UserFactory()
    with pytest.raises(PermissionDenied):
        desk.facilitator_grant(actor=actor, person=person)
    with pytest.raises(PermissionDenied):
        desk.facilitator_revoke(actor=actor, person=actor)
    assert not Facilitator.objects.filter(person=person).exists()
