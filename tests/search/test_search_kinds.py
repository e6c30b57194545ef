"""Every kind of content is found through one box: communities, people, organisations
and workspace documents besides threads and posts, each only by whoever may see it
now; edits reindex, access changes hide at once; tabs count per kind; titles rank
above bodies; `search_rebuild` builds every kind."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from community.models import Community
from community.services import accounts, communities, organisations, threads
from search.models import Entry
from tests.search.helpers import community_with, result_count, search_page
from tests.support.factories import CommunityFactory, OrganisationFactory, UserFactory
from tests.support.roles import member_of, person_in
from tests.support.workspaces import make_workspace, workspace_roles
from tests.workspaces.document_helpers import make_document
from workspaces.services import documents as document_services
from workspaces.services import people as workspace_people

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Visibility = Community.Visibility


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def create_community(commit, owner, visibility=Visibility.PUBLIC, **fields):
    fields.setdefault("name", "Manifattura quantistica")
    fields.setdefault("description", "Sensori criogenici e qubit superconduttori")
    with commit(execute=True):
        return communities.community_create(
            actor=owner, visibility=visibility, themes=["quantum"], **fields
        )


# --- communities -------------------------------------------------------------------

COMMUNITY_FINDERS = {
    "anonymous": {Visibility.PUBLIC, Visibility.RESTRICTED},
    "outsider": {Visibility.PUBLIC, Visibility.RESTRICTED},
    "member": {Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE},
    "owner": {Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE},
    "staff": {Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.PRIVATE},
    "banned": {Visibility.PUBLIC, Visibility.RESTRICTED},
}


@pytest.mark.parametrize("visibility", list(Visibility))
@pytest.mark.parametrize("role", COMMUNITY_FINDERS)
def test_a_community_is_found_by_whoever_may_know_it_exists(
    client, commit, visibility, role
):
    community = create_community(commit, UserFactory(), visibility)
    person = person_in(community, role)

    html = search_page(client, person, "criogenici")

    finds = visibility in COMMUNITY_FINDERS[role]
    assert result_count(html) == (1 if finds else 0)
    assert ("qubit" in html) is finds
    assert ("Manifattura" in html) is finds


def test_a_community_turning_private_disappears_for_outsiders_at_once(client, commit):
    owner = UserFactory()
    community = create_community(commit, owner)
    outsider = UserFactory()
    assert result_count(search_page(client, outsider, "qubit")) == 1

    with commit(execute=True):
        communities.community_update(
            actor=owner,
            community=community,
            name=community.name,
            description=community.description,
            visibility=Visibility.PRIVATE,
            themes=["quantum"],
        )

    html = search_page(client, outsider, "qubit")
    assert result_count(html) == 0
    assert "Manifattura" not in html
    assert result_count(search_page(client, owner, "qubit")) == 1


def test_an_edited_community_is_found_by_its_new_words_only(client, commit):
    owner = UserFactory()
    community = create_community(commit, owner)
    with commit(execute=True):
        communities.community_update(
            actor=owner,
            community=community,
            name="Fotonica integrata",
            description="Guide d'onda in silicio",
            visibility=Visibility.PUBLIC,
            themes=["fotonica"],
        )

    assert result_count(search_page(client, None, "criogenici")) == 0
    html = search_page(client, None, "silicio")
    assert result_count(html) == 1 and "Fotonica integrata" in html
    assert result_count(search_page(client, None, "tag:fotonica")) == 1


# --- people ----------------------------------------------------------------------


def update_profile(commit, person, **fields):
    values = {
        "display_name": person.display_name,
        "bio": person.bio,
        "expertise": [],
        "language": person.language or "en",
        "time_zone": person.time_zone,
        **fields,
    }
    with commit(execute=True):
        accounts.profile_update(actor=person, **values)


def test_people_are_found_by_name_username_bio_and_expertise(client, commit):
    person = UserFactory(username="giulia_r", display_name="Giulia Rossetti")
    update_profile(commit, person, bio="Tribologia dei polimeri", expertise=["brevetti"])

    for words in ("Rossetti", "giulia_r", "tribologia", "tag:brevetti type:person"):
        html = search_page(client, None, words)
        assert result_count(html) == 1, words
        assert reverse("community:profile", args=["giulia_r"]) in html


def test_a_profile_edit_replaces_the_old_words_and_a_closed_account_is_not_found(
    client, commit
):
    person = UserFactory(display_name="Marco Bellini")
    update_profile(commit, person, bio="Esperto di metallurgia")
    update_profile(commit, person, bio="Esperto di ceramiche")
    assert result_count(search_page(client, None, "metallurgia")) == 0
    assert result_count(search_page(client, None, "ceramiche")) == 1

    staff = UserFactory(is_staff=True)
    with commit(execute=True):
        accounts.account_deactivate(actor=staff, person=person)
    html = search_page(client, staff, "ceramiche")
    assert result_count(html) == 0
    assert "Bellini" not in html


def test_a_new_account_is_found_once_signed_up(client, commit):
    with commit(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "nuova@example.org",
                "username": "nuova_iscritta",
                "display_name": "Ottavia Zanardelli",
                "password1": "a long enough passphrase 42",
                "password2": "a long enough passphrase 42",
            },
        )
    assert response.status_code == 302

    assert Entry.objects.filter(kind="person", title="Ottavia Zanardelli").exists()
    assert result_count(search_page(client, None, "Zanardelli")) == 1


# --- organisations -----------------------------------------------------------------


def test_organisations_are_found_and_follow_their_edits(client, commit):
    admin = UserFactory()
    with commit(execute=True):
        organisation = organisations.organisation_create(
            actor=admin,
            name="Officine Brambilla",
            kind="enterprise",
            description="Stampaggio di leghe leggere",
            competences=["pressofusione"],
        )
    assert result_count(search_page(client, None, "Brambilla")) == 1
    assert result_count(search_page(client, None, "tag:pressofusione")) == 1

    with commit(execute=True):
        organisations.organisation_update(
            actor=admin, organisation=organisation, description="Fresatura a cinque assi"
        )
    assert result_count(search_page(client, None, "leghe")) == 0
    html = search_page(client, None, "fresatura")
    assert result_count(html) == 1
    assert organisation.get_absolute_url() in html


# --- workspace documents -------------------------------------------------------------

DOCUMENT_FINDERS = {
    "stranger": False,
    "guest": True,
    "member": True,
    "lead": True,
    "removed": False,
    "partner_colleague": False,
    "staff": True,
}


@pytest.mark.parametrize(("role", "finds"), DOCUMENT_FINDERS.items())
def test_a_text_document_is_found_by_title_and_text_by_participants_only(
    client, commit, role, finds
):
    workspace = make_workspace()
    people = workspace_roles(workspace)
    with commit(execute=True):
        make_document(
            workspace,
            workspace.created_by,
            name="capitolato.md",
            content=b"# Capitolato\n\nTolleranze del *semiasse* posteriore\n",
            title="Capitolato tecnico",
        )

    html = search_page(client, people[role], "semiasse")
    assert result_count(html) == (1 if finds else 0)
    assert ("Tolleranze" in html) is finds
    html = search_page(client, people[role], "capitolato type:document")
    assert result_count(html) == (1 if finds else 0)


def test_a_removed_participant_and_a_deleted_document_leave_nothing(client, commit):
    workspace = make_workspace()
    lead = workspace.created_by
    member = member_of(CommunityFactory())
    participant = None
    from tests.support.workspaces import add_participant

    participant = add_participant(workspace, member)
    with commit(execute=True):
        document = make_document(
            workspace, lead, name="offerta.txt", content=b"Prezzo riservato ventimila\n"
        )
    assert result_count(search_page(client, member, "ventimila")) == 1

    with commit(execute=True):
        workspace_people.participant_remove(actor=lead, participant=participant)
    html = search_page(client, member, "ventimila")
    assert result_count(html) == 0 and "riservato" not in html

    with commit(execute=True):
        document_services.document_delete(actor=lead, document=document)
    assert result_count(search_page(client, lead, "ventimila")) == 0
    assert not Entry.objects.filter(kind="document", object_id=document.pk).exists()


def test_a_pdf_is_found_by_its_title_only(client, commit):
    workspace = make_workspace()
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with commit(execute=True):
        make_document(
            workspace, workspace.created_by, name="brevetto.pdf", content=pdf,
            title="Domanda di brevetto",
        )
    html = search_page(client, workspace.created_by, "brevetto type:document")
    assert result_count(html) == 1
    assert "Catalog" not in html


# --- the page: tabs, counts, ranking ----------------------------------------------------


def test_tabs_count_each_kind_the_reader_may_see_and_filter_to_one(client, commit):
    owner = UserFactory()
    create_community(commit, owner, name="Idrogeno alpino", description="Celle")
    create_community(
        commit, owner, Visibility.PRIVATE, name="Idrogeno segreto", description="Celle"
    )
    community, thread_owner, thread = community_with(
        commit, title="Stoccaggio", body="idrogeno in bombole"
    )
    person = UserFactory(display_name="Ida Idrogenova")
    update_profile(commit, person)

    html = search_page(client, None, "idrogeno")
    assert result_count(html) == 3
    assert 'data-search-tab="community">Communities <span class="badge">1<' in html
    assert 'data-search-tab="thread">Discussions <span class="badge">1<' in html
    assert 'data-search-tab="person">People <span class="badge">1<' in html
    assert "segreto" not in html

    html = search_page(client, None, "idrogeno", type="community")
    assert result_count(html) == 1
    assert "</mark> alpino" in html and "bombole" not in html
    assert 'aria-current="page" data-search-tab="community"' in html

    html = search_page(client, None, "idrogeno", type="document")
    assert "Nothing found among Documents." in html


def test_a_title_match_ranks_above_a_newer_body_match(client, commit):
    community, owner, titled = community_with(
        commit, title="Grafene conduttivo", body="Primo messaggio"
    )
    with commit(execute=True):
        threads.thread_create(
            actor=owner, community=community, title="Altro", body="Parliamo di grafene"
        )

    html = search_page(client, None, "grafene")
    assert result_count(html) == 2
    assert html.index("conduttivo") < html.index("Parliamo")


def test_search_rebuild_builds_every_kind(commit):
    create_community(commit, UserFactory())
    OrganisationFactory(name="Laboratori Cremona")
    workspace = make_workspace()
    with commit(execute=True):
        make_document(workspace, workspace.created_by, name="nota.txt", content=b"x\n")
    community_with(commit, title="Un filo", body="Testo")
    Entry.objects.all().delete()

    call_command("search_rebuild", stdout=open("/dev/null", "w"))

    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert kinds == {"community", "person", "organisation", "document", "thread"}
    assert Entry.objects.filter(kind="organisation", title="Laboratori Cremona").exists()
