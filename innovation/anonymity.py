"""Seeker anonymity: how an anonymous challenge's organisation is shown to each person.

An anonymous challenge names its seeker only to the seeker's own people, site staff,
the innovation desk's active facilitators and the solvers to whom the seeker revealed
itself (`Proposal.seeker_revealed`); everyone else reads a description built from the
organisation (kind, sector, size band, region). Pages, search, notifications, e-mails
and live frames all ask `seeker_shown` (or `seekers_shown` for lists) — nothing else
builds that text.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from community.models import Affiliation, Organisation
from community.permissions import is_organisation_member, is_site_staff, remembered
from workspaces import storage

from .models import Challenge, Facilitator, Proposal

# The kind of organisation with its article, as the description starts.
_KIND_PHRASES = {
    Organisation.Kind.ENTERPRISE: lambda: _("a firm"),
    Organisation.Kind.UNIVERSITY: lambda: _("a university"),
    Organisation.Kind.RESEARCH_CENTRE: lambda: _("a research centre"),
    Organisation.Kind.STARTUP: lambda: _("a start-up"),
    Organisation.Kind.BROKER: lambda: _("an innovation broker"),
    Organisation.Kind.PUBLIC_BODY: lambda: _("a public body"),
}


def is_active_facilitator(user):
    """An active facilitator of the innovation desk (cached for the scope)."""
    if not user.is_authenticated:
        return False
    return remembered(
        ("facilitator", user.pk),
        lambda: Facilitator.objects.filter(person_id=user.pk, is_active=True).exists(),
    )


def anonymous_description(organisation):
    """The anonymous description of `organisation` in the active language: "a firm
    in Manifattura, 50-249 people, Lombardia" (the parts it has)."""
    phrase = _KIND_PHRASES.get(organisation.kind, lambda: _("an organisation"))()
    if organisation.sector:
        phrase = _("%(kind)s in %(sector)s") % {
            "kind": phrase,
            "sector": organisation.sector,
        }
    parts = [phrase]
    if organisation.size:
        parts.append(str(Organisation.Size(organisation.size).label))
    if organisation.region:
        parts.append(organisation.region)
    return ", ".join(parts)


def _revealed_to(challenge, viewer):
    return remembered(
        ("seeker-revealed", viewer.pk, challenge.pk),
        lambda: Proposal.objects.filter(
            challenge_id=challenge.pk,
            seeker_revealed=True,
            organisation__affiliations__user_id=viewer.pk,
            organisation__affiliations__state=Affiliation.State.ACTIVE,
        ).exists(),
    )


def seeker_known(challenge, viewer):
    """May `viewer` (anyone, signed in or not) know who the seeker of `challenge` is?"""
    if not challenge.anonymous:
        return True
    if not viewer.is_authenticated:
        return False
    return (
        is_site_staff(viewer)
        or is_organisation_member(viewer, challenge.organisation)
        or is_active_facilitator(viewer)
        or _revealed_to(challenge, viewer)
    )


def seeker_shown(challenge, viewer):
    """The seeker as `viewer` may read it: the organisation's name, or its anonymous
    description."""
    if seeker_known(challenge, viewer):
        return challenge.organisation.name
    return anonymous_description(challenge.organisation)


def seekers_shown(challenges, viewer):
    """`seeker_shown` for a list of challenges (their organisations loaded), with a
    constant number of queries: {challenge id: text}."""
    anonymous = [challenge for challenge in challenges if challenge.anonymous]
    known = set()
    if anonymous and viewer.is_authenticated:
        if is_site_staff(viewer) or is_active_facilitator(viewer):
            known = {challenge.pk for challenge in anonymous}
        else:
            own = set(
                Affiliation.objects.filter(
                    user_id=viewer.pk, state=Affiliation.State.ACTIVE
                ).values_list("organisation_id", flat=True)
            )
            known = {c.pk for c in anonymous if c.organisation_id in own}
            known |= set(
                Proposal.objects.filter(
                    challenge__in=[c.pk for c in anonymous if c.pk not in known],
                    seeker_revealed=True,
                    organisation_id__in=own,
                ).values_list("challenge_id", flat=True)
            )
    return {
        challenge.pk: challenge.organisation.name
        if not challenge.anonymous or challenge.pk in known
        else anonymous_description(challenge.organisation)
        for challenge in challenges
    }


# --- the names that would give an anonymous seeker away -------------------------------

# Shorter names match too much ("al", "ST") to stand for the seeker on their own.
_NAME_MIN_LENGTH = 3


def _folded(text):
    """`text` compared loosely: accents dropped, case folded, spaces collapsed."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.casefold().split())


def seeker_names(organisation):
    """The names that identify `organisation` as a seeker: its own, and the display
    names and usernames of everyone affiliated to it (now or before: a former
    employee's name still points at the firm). Folded, each at least
    three characters; one query."""
    names = {organisation.name}
    for display_name, username in Affiliation.objects.filter(
        organisation_id=organisation.pk
    ).values_list("user__display_name", "user__username"):
        names.update((display_name, username))
    return {
        folded for folded in map(_folded, names) if len(folded) >= _NAME_MIN_LENGTH
    }


def names_in(text, names):
    """Those of `names` (from `seeker_names`) that `text` contains as whole words."""
    folded = _folded(text)
    if not folded:
        return set()
    return {
        name
        for name in names
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded) is not None
    }


def documents_named_for(user, subject, documents):
    """`documents` as `user` may read their names: on an anonymous challenge whose
    seeker they may not know, a title or file name that names the seeker (its
    organisation, its people — renamed or joined since the upload checks) is
    replaced by a neutral one, on the page and in the download's file name."""
    if not isinstance(subject, Challenge) or seeker_known(subject, user):
        return documents
    names = seeker_names(subject.organisation)
    for document in documents:
        if names_in(f"{document.original_name} {document.title}", names):
            extension = storage.name_extension(document.original_name)
            document.title = _("Confidential document %(number)d") % {
                "number": document.pk
            }
            document.original_name = f"document-{document.pk}" + (
                f".{extension}" if extension else ""
            )
    return documents
