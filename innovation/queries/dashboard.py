"""The funnel's figures: every step organisations took — a contact (a clarification
question, an introduction, a proposal or an expression of interest), an expression
of interest or a proposal, a workspace opened by an acceptance, an agreement recorded
as its outcome — counted by stage, theme, organisation kind, size, province and month.

A step counts for the organisation that took it (the solver, the interested
organisation, the one asking or introduced first), under the sectors of the challenge
or offer it concerns. Five queries whatever the numbers; the counting is done here.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Organisation

from ..models import (
    ChallengeQuestion,
    ExpressionOfInterest,
    Introduction,
    Outcome,
    Proposal,
    Sector,
)

STAGES = (
    ("contact", _("Contacts")),
    ("interest", _("Expressions of interest and proposals")),
    ("workspace", _("Workspaces opened")),
    ("agreement", _("Agreements")),
)
STAGE_CODES = [code for code, _label in STAGES]

DIMENSIONS = {
    "sector": (_("Theme"), dict(Sector.choices)),
    "kind": (_("Organisation kind"), dict(Organisation.Kind.choices)),
    "size": (_("Size"), dict(Organisation.Size.choices)),
    "province": (_("Province"), dict(Organisation.Province.choices)),
}
UNKNOWN = _("Not stated")


@dataclass(frozen=True)
class Step:
    stage: str
    day: datetime.date
    sectors: tuple
    kind: str
    size: str
    province: str
    organisation_id: int
    counterpart_id: int | None

    def values(self, dimension):
        if dimension == "sector":
            return self.sectors or ("",)
        return (getattr(self, dimension),)


def _day(moment):
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _step(stage, moment, sectors, organisation, counterpart_id):
    return Step(
        stage=stage,
        day=_day(moment),
        sectors=tuple(sectors),
        kind=organisation.kind,
        size=organisation.size,
        province=organisation.province,
        organisation_id=organisation.pk,
        counterpart_id=counterpart_id,
    )


def steps(*, organisation=None, since=None):
    """Every step of the funnel (taken on or after the date `since`), or only those
    `organisation` took part in (on either side)."""
    found = []
    questions = ChallengeQuestion.objects.select_related(
        "challenge", "asked_by__organisation"
    ).exclude(asked_by__organisation=None)
    for question in questions:
        challenge = question.challenge
        found.append(
            _step(
                "contact",
                question.created_at,
                challenge.sectors,
                question.asked_by.organisation,
                challenge.organisation_id,
            )
        )
    origins = {}
    for proposal in Proposal.objects.select_related(
        "challenge", "organisation", "workspace"
    ):
        sectors = proposal.challenge.sectors
        counterpart = proposal.challenge.organisation_id
        found += _answer_steps(proposal, sectors, counterpart, origins)
    for interest in ExpressionOfInterest.objects.select_related(
        "offer", "organisation", "workspace"
    ):
        sectors = interest.offer.sectors
        counterpart = interest.offer.organisation_id
        found += _answer_steps(interest, sectors, counterpart, origins)
    for introduction in Introduction.objects.select_related("first_organisation"):
        found.append(
            _step(
                "contact",
                introduction.created_at,
                (),
                introduction.first_organisation,
                introduction.second_organisation_id,
            )
        )
    agreements = Outcome.objects.filter(workspace_id__in=origins).exclude(
        result=Outcome.Result.NO_AGREEMENT
    )
    for outcome in agreements.only("workspace_id", "recorded_at"):
        answer, sectors, counterpart = origins[outcome.workspace_id]
        found.append(
            _step("agreement", outcome.recorded_at, sectors, answer.organisation, counterpart)
        )
    if organisation is not None:
        found = [
            step
            for step in found
            if organisation.pk in (step.organisation_id, step.counterpart_id)
        ]
    if since is not None:
        found = [step for step in found if step.day >= since]
    return found


def _answer_steps(answer, sectors, counterpart, origins):
    """A proposal's or an expression of interest's steps: a contact and an interest
    when sent, a workspace when its acceptance opened one."""
    organisation = answer.organisation
    found = [
        _step("contact", answer.created_at, sectors, organisation, counterpart),
        _step("interest", answer.created_at, sectors, organisation, counterpart),
    ]
    if answer.workspace_id is not None:
        origins[answer.workspace_id] = (answer, sectors, counterpart)
        found.append(
            _step("workspace", answer.workspace.created_at, sectors, organisation, counterpart)
        )
    return found


def funnel(found):
    """[(stage code, label, count, share of contacts in whole percent)]."""
    counts = Counter(step.stage for step in found)
    contacts = counts["contact"]
    return [
        (code, label, counts[code], round(100 * counts[code] / contacts) if contacts else 0)
        for code, label in STAGES
    ]


def breakdown(found, dimension):
    """[(label, [count per stage])] for one dimension, the most contacted first."""
    _title, labels = DIMENSIONS[dimension]
    table = {}
    for step in found:
        for value in step.values(dimension):
            table.setdefault(value, Counter())[step.stage] += 1
    rows = [
        (str(labels.get(value, UNKNOWN)) if value else str(UNKNOWN), counts)
        for value, counts in table.items()
    ]
    rows.sort(key=lambda row: (-row[1]["contact"], -row[1]["interest"], row[0]))
    return [(label, [counts[code] for code in STAGE_CODES]) for label, counts in rows]


def months(found, *, count=12, today=None):
    """[(first day of the month, [count per stage])] for the last `count` months."""
    today = today or timezone.localdate()
    firsts = []
    year, month = today.year, today.month
    for _index in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    table = {first: Counter() for first in firsts}
    for step in found:
        first = step.day.replace(day=1)
        if first in table:
            table[first][step.stage] += 1
    return [(first, [table[first][code] for code in STAGE_CODES]) for first in firsts]
