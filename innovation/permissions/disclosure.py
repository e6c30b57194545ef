"""The disclosure ladder's last step: who may accept a challenge's or an offer's
click-through NDA, list and download its confidential documents, manage them and read
the NDA audit.

A *subject* is a Challenge or a TechnologyOffer. The steps: the public summary; the
details (a challenge: the viewer's organisation has a shortlisted or accepted
proposal; an offer: its interest was accepted); then, after the person accepted the
subject's NDA, the confidential documents. The owner's people, the facilitators and
staff see everything of the subject.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from community import permissions as community_permissions

from ..models import (
    Challenge,
    ConfidentialDocument,
    ExpressionOfInterest,
    NdaAcceptance,
    Proposal,
    TechnologyOffer,
)
from .challenges import can_see_challenge
from .desk import is_facilitator
from .funnel import acting_organisation
from .offers import can_see_offer

# The proposal steps at which a solver's organisation reads a challenge's details.
DETAILS_PROPOSAL_STATES = (Proposal.Status.SHORTLISTED, Proposal.Status.ACCEPTED)

# Subject kinds as addresses name them.
KINDS = {"challenge": Challenge, "offer": TechnologyOffer}


def subject_kind(subject):
    return "challenge" if isinstance(subject, Challenge) else "offer"


def subject_filter(subject):
    """The keyword naming `subject` on ConfidentialDocument and NdaAcceptance."""
    return {subject_kind(subject): subject}


def is_owner_person(user, subject):
    organisation = acting_organisation(user)
    return organisation is not None and organisation.pk == subject.organisation_id


def has_reached_details(user, subject):
    """The viewer's organisation reached the details step (not the owner)."""
    organisation = acting_organisation(user)
    if organisation is None or organisation.pk == subject.organisation_id:
        return False
    if isinstance(subject, Challenge):
        return Proposal.objects.filter(
            challenge_id=subject.pk,
            organisation_id=organisation.pk,
            status__in=DETAILS_PROPOSAL_STATES,
        ).exists()
    return ExpressionOfInterest.objects.filter(
        offer_id=subject.pk,
        organisation_id=organisation.pk,
        status=ExpressionOfInterest.Status.ACCEPTED,
    ).exists()


def _desk_sees(user, subject):
    """Staff, and a facilitator who may see the subject's page: not someone else's
    draft (the desk's are the validation queue and the drafts it helps with)."""
    if not is_facilitator(user):
        return False
    if isinstance(subject, Challenge):
        return can_see_challenge(user, subject)
    return can_see_offer(user, subject)


def sees_everything(user, subject):
    """The owner's people, staff, and facilitators while the subject is theirs to
    see (`_desk_sees`)."""
    return is_owner_person(user, subject) or _desk_sees(user, subject)


def access_subject(user, kind, pk):
    """The challenge or offer `pk` when `user` is owner's, desk, or at the details
    step; Http404 for missing, unknown and anyone below the step alike."""
    model = KINDS.get(kind)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None
    subject = (
        model.objects.select_related("organisation").filter(pk=pk).first()
        if model is not None
        else None
    )
    if subject is None or not (
        sees_everything(user, subject) or has_reached_details(user, subject)
    ):
        raise Http404("Not found.")
    return subject


def nda_acceptance_of(user, subject):
    if not user.is_authenticated:
        return None
    return NdaAcceptance.objects.filter(
        person_id=user.pk, **subject_filter(subject)
    ).first()


def can_accept_nda(user, subject):
    """A person at the details step, whose subject has an NDA text, not yet accepted."""
    return (
        bool(subject.nda_text.strip())
        and has_reached_details(user, subject)
        and nda_acceptance_of(user, subject) is None
    )


require_accept_nda = community_permissions.requirement(
    can_accept_nda,
    _("You cannot accept this agreement: it is not open to you, or you accepted it."),
)


def can_read_documents(user, subject):
    """The owner's people, facilitators, staff; and, at the details step, whoever
    accepted the NDA."""
    if sees_everything(user, subject):
        return True
    return (
        has_reached_details(user, subject)
        and nda_acceptance_of(user, subject) is not None
    )


def can_manage_documents(user, subject):
    """The owner's people upload and delete (the desk never writes for them)."""
    return is_owner_person(user, subject)


require_manage_documents = community_permissions.requirement(
    can_manage_documents,
    _("Only the owner's people can add or remove confidential documents."),
)


def can_see_nda_audit(user, subject):
    return sees_everything(user, subject)


def documents_visible_to(user, subject):
    """The subject's confidential documents `user` may list (none below the step)."""
    documents = ConfidentialDocument.objects.filter(**subject_filter(subject))
    if not can_read_documents(user, subject):
        return documents.none()
    return documents.select_related("uploaded_by")


def access_document(user, subject, pk):
    """A confidential document of `subject` `user` may download; Http404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such document.") from None
    document = documents_visible_to(user, subject).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


require_see_nda_audit = community_permissions.requirement(
    can_see_nda_audit,
    _("Only the owner's people and the innovation desk can read who accepted the NDA."),
)
