"""The profile settings page tells people which organisation shows next to their name."""

import pytest
from django.urls import reverse

from tests.support.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_person_without_organisation_is_pointed_to_the_directory(english):
    person = UserFactory(organisation=None)
    english.force_login(person)
    page = english.get(reverse("community:profile-edit")).content.decode()
    assert "Find your organisation" in page
    assert reverse("community:organisation-list") in page


def test_person_with_organisation_sees_it_in_the_account_box(english):
    organisation = OrganisationFactory(name="Officine Brianza")
    person = UserFactory(organisation=organisation)
    english.force_login(person)
    page = english.get(reverse("community:profile-edit")).content.decode()
    assert "Officine Brianza" in page
    assert organisation.get_absolute_url() in page
    assert "Find your organisation" not in page
