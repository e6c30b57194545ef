"""An accepted proposal (or expression of interest) becomes a workspace for both
organisations, seeded with what they agreed on: the subject, both organisation cards,
the NDA record, and a first message introducing the people."""

import copy

from django.db import transaction
from django.utils.translation import gettext as _

from community.models import Affiliation
from community.services import moderation, threads
from workspaces.models import Participant, Partner, Workspace
from workspaces.services import people, workspaces

from ..models import CollaborationType, NdaAcceptance

__all__ = ["deal_open"]

# The funnel's collaboration types as a workspace names them.
_WORKSPACE_TYPES = {
    CollaborationType.LICENCE: Workspace.CollaborationType.LICENSING,
    CollaborationType.JOINT_DEVELOPMENT: Workspace.CollaborationType.RD_CONTRACT,
    CollaborationType.RD_CONTRACT: Workspace.CollaborationType.RD_CONTRACT,
    CollaborationType.SPIN_OFF: Workspace.CollaborationType.SPIN_OFF,
    CollaborationType.SUPPLY: Workspace.CollaborationType.CONSORTIUM,
    CollaborationType.JOINT_VENTURE: Workspace.CollaborationType.JOINT_VENTURE,
}


def _collaboration_type(codes):
    for code in codes:
        if code in _WORKSPACE_TYPES:
            return _WORKSPACE_TYPES[code]
    return Workspace.CollaborationType.RD_CONTRACT


def _deal(proposal, interest):
    """What both kinds of deal have in common, as a plain dict."""
    if proposal is not None:
        challenge = proposal.challenge
        return {
            "subject": challenge,
            "subject_label": _("Challenge"),
            "owner": challenge.organisation,
            "other": proposal.organisation,
            "other_author": proposal.created_by,
            "answer_label": _("Proposal"),
            "answer_title": proposal.title,
            "answer_summary": proposal.summary,
            "types": list(challenge.collaboration_types),
            "ndas": NdaAcceptance.objects.filter(
                challenge=challenge, organisation=proposal.organisation
            ),
        }
    offer = interest.offer
    return {
        "subject": offer,
        "subject_label": _("Technology offer"),
        "owner": offer.organisation,
        "other": interest.organisation,
        "other_author": interest.created_by,
        "answer_label": _("Expression of interest"),
        "answer_title": _("What %(name)s proposes")
        % {"name": interest.organisation.name},
        "answer_summary": "\n\n".join(
            (interest.who_we_are, interest.intended_use, interest.cooperation)
        ),
        "types": [interest.collaboration_type],
        "ndas": NdaAcceptance.objects.filter(
            offer=offer, organisation=interest.organisation
        ),
    }


def _card(organisation):
    parts = [str(organisation.get_kind_display())]
    if organisation.city:
        parts.append(organisation.city)
    return f"- [{organisation.name}]({organisation.get_absolute_url()}) — {', '.join(parts)}"


def _summary(deal):
    subject = deal["subject"]
    lines = [
        f"## {deal['subject_label']}: [{subject.title}]({subject.get_absolute_url()})",
        "",
        subject.summary,
        "",
        f"## {deal['answer_label']}: {deal['answer_title']}",
        "",
        deal["answer_summary"],
        "",
        "## " + _("Organisations"),
        "",
        _card(deal["owner"]),
        _card(deal["other"]),
        "",
        "## " + _("Non-disclosure agreement"),
        "",
    ]
    ndas = list(deal["ndas"].select_related("person"))
    if ndas:
        lines.extend(
            _("- accepted by %(person)s for %(organisation)s on %(date)s")
            % {
                "person": nda.person.name,
                "organisation": deal["other"].name,
                "date": nda.accepted_at.date().isoformat(),
            }
            for nda in ndas
        )
    else:
        lines.append(_("No NDA was accepted before this workspace opened."))
    return "\n".join(lines)


def _introduction(deal, owner_people, other_people):
    def names(persons):
        return ", ".join(person.name for person in persons)

    return _(
        "This workspace opened when %(owner)s accepted the %(answer)s of "
        "%(other)s for “%(title)s”.\n\nFor %(owner)s: %(owner_people)s.\n"
        "For %(other)s: %(other_people)s.\n\nIntroduce yourselves and agree on the "
        "first steps here."
    ) % {
        "owner": deal["owner"].name,
        "other": deal["other"].name,
        "answer": deal["answer_label"].lower(),
        "title": deal["subject"].title,
        "owner_people": names(owner_people),
        "other_people": names(other_people),
    }


def deal_open(*, actor, proposal=None, interest=None):
    """Open the workspace of an accepted `proposal` or `interest` (exactly one);
    return it and set it on the accepted object.

    For the services that decided the acceptance (the consent of both sides: the
    answer was sent, the owner's admin accepted it): they checked `actor` is an
    admin of the owning organisation; no permission check here. Joins their
    transaction. The actor opens it for the owner (its lead partner); the owner's
    admins and the answer's author join as leads; a first thread introduces the
    people and a pinned one records the subject, the answer, both organisation
    cards and the NDA record. A proposal's seeker is revealed to its solver.
    """
    if (proposal is None) == (interest is None):
        raise ValueError("deal_open() needs exactly one of proposal and interest.")
    deal = _deal(proposal, interest)
    owner, other = deal["owner"], deal["other"]
    owner_admins = [
        affiliation.user
        for affiliation in Affiliation.objects.filter(
            organisation=owner,
            role=Affiliation.Role.ADMIN,
            state=Affiliation.State.ACTIVE,
            user__is_active=True,
        )
        .exclude(user_id=actor.pk)
        .select_related("user")
    ]
    author = deal["other_author"]
    other_people = [author] if author is not None and author.is_active else []
    # The actor opens it for the owner, whatever organisation their name shows.
    opener = copy.copy(actor)
    opener.organisation = owner
    with transaction.atomic():
        workspace = workspaces.workspace_create(
            actor=opener,
            name=deal["subject"].title[:120],
            description=deal["subject"].summary[:5000],
            collaboration_type=_collaboration_type(deal["types"]),
            kickoff=_introduction(deal, [actor, *owner_admins], other_people),
        )
        for person in owner_admins:
            people.participant_add(
                actor=actor,
                workspace=workspace,
                user=person,
                organisation=owner,
                role=Participant.Role.LEAD,
            )
        for person in other_people:
            people.participant_add(
                actor=actor,
                workspace=workspace,
                user=person,
                organisation=other,
                role=Participant.Role.LEAD,
                partner_role=Partner.Role.PARTNER,
            )
        summary = threads.thread_create(
            actor=opener,
            community=workspace.community,
            title=_("What we agreed to work on"),
            body=_summary(deal),
        )
        moderation.thread_pin(actor=opener, thread=summary)
        accepted = proposal if proposal is not None else interest
        accepted.workspace = workspace
        fields = ["workspace", "updated_at"]
        if proposal is not None:
            proposal.seeker_revealed = True
            fields.append("seeker_revealed")
        accepted.save(update_fields=fields)
    return workspace
