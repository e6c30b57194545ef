"""Match suggestions: for an organisation, the open challenges, live technology offers,
counterpart organisations and funding calls that fit it, ranked, each with why.

The score of an item for an organisation adds
- its shared tags (the organisation's competences and interests against the item's
  tags; an organisation's are its competences and interests), each weighted by its
  rarity: idf = ln(1 + N / df) over every tagged item of the pool (challenges,
  offers, calls, organisations);
- its shared sectors (the item's sector codes against the organisation's: the codes
  its free-text sector names, and those of its own challenges and offers);
- full-text similarity: a query of the organisation's rarest words (of its tags and
  description, stemmed to prefixes) run on the search index (`search.backends`, the
  site's FTS: `fulltext.py`) for organisations, and on the item's title and summary
  for challenges, offers and calls (whose rows the index does not hold yet) — each
  matching word weighted by its rarity;
- minus a penalty for tags shared with suggestions the organisation dismissed
  ("not relevant"): proportional to the rarity of the tags shared with them.

Never suggested: the organisation's own items, challenges it sent a proposal to,
offers it expressed interest in, dismissed items, and anything not public (drafts,
in validation, closed challenges, expired or withdrawn offers, past or withdrawn
calls). The pool is loaded in a fixed number of queries whatever its size
(`Pool.load`), then scored in Python; `QUERY_BUDGET` bounds the whole computation.

This module imports no search module (notifications, which may not import search,
use `organisations_for`); `fulltext.suggestions` adds the search index's hits and is
what pages use.
"""

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from community.models import Organisation
from community.models.tags import OrganisationCompetence, OrganisationInterest

from ..models import (
    Challenge,
    ChallengeTag,
    DismissedSuggestion,
    ExpressionOfInterest,
    FundingCall,
    FundingCallTag,
    OfferTag,
    Proposal,
    Sector,
    TechnologyOffer,
)

Kind = DismissedSuggestion.Kind
KINDS = (Kind.CHALLENGE, Kind.OFFER, Kind.ORGANISATION, Kind.FUNDING_CALL)

SECTOR_WEIGHT = 0.6
TEXT_WEIGHT = 0.35
DISMISSED_WEIGHT = 0.7
MIN_SCORE = 1.0
QUERY_TERMS = 6
# Queries of `suggestions()`: the pool's loads plus one full-text query per term.
QUERY_BUDGET = 18 + QUERY_TERMS

Kinds = Organisation.Kind
# Who is suggested to whom in the "organisations" direction.
COUNTERPARTS = {
    Kinds.ENTERPRISE: (Kinds.UNIVERSITY, Kinds.RESEARCH_CENTRE),
    Kinds.STARTUP: (Kinds.UNIVERSITY, Kinds.RESEARCH_CENTRE),
    Kinds.UNIVERSITY: (Kinds.ENTERPRISE, Kinds.STARTUP),
    Kinds.RESEARCH_CENTRE: (Kinds.ENTERPRISE, Kinds.STARTUP),
}

# The free-text sector of an organisation, read as sector codes (Italian and English
# word starts).
SECTOR_WORDS = {
    Sector.MANUFACTURING: ("macchin", "manifattur", "meccanic", "ingegner", "automa", "manufactur", "machine"),
    Sector.AGRIFOOD: ("agri", "aliment", "lattier", "casear", "food", "dairy"),
    Sector.LIFE_SCIENCES: ("vita", "biotec", "farma", "salut", "medic", "health", "life", "pharma"),
    Sector.ENERGY: ("energ", "ambient", "environ"),
    Sector.MOBILITY: ("mobilit", "logistic", "traspor", "transport"),
    Sector.ICT: ("software", "informatic", "digital", "ict"),
    Sector.MATERIALS: ("material", "chimic", "chemi"),
    Sector.FASHION_DESIGN: ("tessil", "moda", "design", "fashion", "textile"),
    Sector.CONSTRUCTION: ("edil", "costruz", "construct"),
    Sector.AEROSPACE: ("aerospa",),
}

_WORD = re.compile(r"\w+")
STEM = 6
_STOP = frozenset(
    """
    abbiamo alla alle anche ancora anni anno cerchiamo come con contro dalla dalle
    degli della delle dello dopo essere fino loro molto nella nelle negli nostri
    nostro nostra nostre ogni oppure perché però quale quando quanto questa questi
    questo senza sono sulla sulle tutti tutto vogliamo verso vostri about after also
    been from have into more other over such than that their them then there these
    they this through under using very what when which while with within without
    would your ours ourselves
    sviluppo sviluppiamo produzione produrre ridurre recupero sistema sistemi
    processo soluzione soluzioni progetto progetti ricerca imprese impresa
    tecnologia tecnologie innovazione partner partners programma programmato
    develop development company companies research solution solutions system
    """.split()
)


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def stems(text):
    """The word prefixes of `text` that count for similarity: words of five letters
    or more, without stop words or accents, cut to six letters."""
    return {
        word[:STEM]
        for word in _WORD.findall(_fold(text))
        if len(word) >= 5 and not word.isdigit() and word not in _STOP
    }


def sectors_of_text(text):
    """The sector codes a free-text sector names."""
    folded = _fold(text or "")
    words = _WORD.findall(folded)
    return {
        code
        for code, starts in SECTOR_WORDS.items()
        if any(word.startswith(start) for word in words for start in starts)
    }


@dataclass
class Item:
    kind: str
    object: object
    tags: frozenset
    sectors: frozenset
    text: str
    owner_id: int | None = None
    stems: frozenset = frozenset()

    @property
    def key(self):
        return (self.kind, self.object.pk)


@dataclass
class Suggestion:
    """One suggestion and why: the tags it shares with the organisation (rarest
    first), the words of its text the organisation's query matched, its shared
    sectors (labels)."""

    kind: str
    object: object
    score: float
    tags: list = field(default_factory=list)
    words: list = field(default_factory=list)
    sectors: list = field(default_factory=list)
    penalty: float = 0.0

    @property
    def key(self):
        return (self.kind, self.object.pk)


def _tag_map(through, ids):
    tags = defaultdict(set)
    for object_id, name in through.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    ):
        tags[object_id].add(name.lower())
    return tags


def _display_word(text, stem):
    """The first word of `text` starting with `stem`, as written."""
    for word in _WORD.findall(text):
        if _fold(word).startswith(stem):
            return word.lower()
    return stem


class Pool:
    """Every suggestable item (and every organisation), their tags and sectors, and
    what the organisations in `for_ids` answered or dismissed — loaded in a fixed
    number of queries."""

    def __init__(self):
        self.items = {kind: [] for kind in KINDS}
        self.organisations = {}
        self.org_items = {}
        self.answered = defaultdict(set)
        self.dismissed = defaultdict(set)
        self.own_sectors = defaultdict(set)

    @classmethod
    def load(cls, for_ids=None):
        """`for_ids`: the organisations suggestions are wanted for (None: all)."""
        pool = cls()
        now = timezone.now()
        today = timezone.localdate()

        organisations = list(Organisation.objects.all())
        org_ids = [org.pk for org in organisations]
        competences = _tag_map(OrganisationCompetence, org_ids)
        interests = _tag_map(OrganisationInterest, org_ids)
        # An organisation's sectors read from its items: only those everyone may see
        # under its name (a draft or an anonymous challenge must not show in a "why").
        public_challenges = Challenge.objects.filter(
            anonymous=False,
            status__in=[
                Challenge.Status.OPEN, Challenge.Status.EVALUATING,
                Challenge.Status.CLOSED, Challenge.Status.AWARDED,
            ],
        )
        for org_id, sectors in public_challenges.values_list("organisation_id", "sectors"):
            pool.own_sectors[org_id].update(sectors)
        public_offers = TechnologyOffer.objects.filter(status=TechnologyOffer.Status.PUBLISHED)
        for org_id, sectors in public_offers.values_list("organisation_id", "sectors"):
            pool.own_sectors[org_id].update(sectors)
        for org in organisations:
            pool.organisations[org.pk] = org
            tags = competences[org.pk] | interests[org.pk]
            sectors = sectors_of_text(org.sector) | pool.own_sectors[org.pk]
            item = Item(
                Kind.ORGANISATION, org, frozenset(tags), frozenset(sectors),
                f"{org.name} {org.description}", owner_id=org.pk,
            )
            pool.org_items[org.pk] = item
            pool.items[Kind.ORGANISATION].append(item)

        challenges = list(
            Challenge.objects.filter(status=Challenge.Status.OPEN)
            .filter(Q(deadline__isnull=True) | Q(deadline__gte=today))
            .select_related("organisation")
            .order_by("pk")
        )
        tags = _tag_map(ChallengeTag, [c.pk for c in challenges])
        for challenge in challenges:
            pool.items[Kind.CHALLENGE].append(
                Item(
                    Kind.CHALLENGE, challenge, frozenset(tags[challenge.pk]),
                    frozenset(challenge.sectors), f"{challenge.title} {challenge.summary}",
                    owner_id=challenge.organisation_id,
                )
            )
        offers = list(
            TechnologyOffer.objects.filter(
                status=TechnologyOffer.Status.PUBLISHED, expires_at__gt=now
            )
            .select_related("organisation")
            .order_by("pk")
        )
        tags = _tag_map(OfferTag, [o.pk for o in offers])
        for offer in offers:
            pool.items[Kind.OFFER].append(
                Item(
                    Kind.OFFER, offer, frozenset(tags[offer.pk]), frozenset(offer.sectors),
                    f"{offer.title} {offer.summary}", owner_id=offer.organisation_id,
                )
            )
        calls = list(
            FundingCall.objects.filter(
                status=FundingCall.Status.PUBLISHED, deadline__gte=today
            ).order_by("pk")
        )
        tags = _tag_map(FundingCallTag, [c.pk for c in calls])
        for call in calls:
            pool.items[Kind.FUNDING_CALL].append(
                Item(
                    Kind.FUNDING_CALL, call, frozenset(tags[call.pk]),
                    frozenset(call.sectors), f"{call.title} {call.body}",
                )
            )

        answered = Proposal.objects.all()
        interested = ExpressionOfInterest.objects.all()
        dismissed = DismissedSuggestion.objects.all()
        if for_ids is not None:
            answered = answered.filter(organisation_id__in=for_ids)
            interested = interested.filter(organisation_id__in=for_ids)
            dismissed = dismissed.filter(organisation_id__in=for_ids)
        for org_id, challenge_id in answered.values_list("organisation_id", "challenge_id"):
            pool.answered[org_id].add((Kind.CHALLENGE, challenge_id))
        for org_id, offer_id in interested.values_list("organisation_id", "offer_id"):
            pool.answered[org_id].add((Kind.OFFER, offer_id))
        for org_id, kind, object_id in dismissed.values_list(
            "organisation_id", "kind", "object_id"
        ):
            pool.dismissed[org_id].add((kind, object_id))

        pool._weights()
        return pool

    def _weights(self):
        every = [item for items in self.items.values() for item in items]
        for item in every:
            item.stems = frozenset(
                stems(item.text) | {s for tag in item.tags for s in stems(tag)}
            )
        count = len(every) or 1
        tag_df = Counter(tag for item in every for tag in item.tags)
        stem_df = Counter(stem for item in every for stem in item.stems)
        self.tag_idf = {tag: math.log(1 + count / df) for tag, df in tag_df.items()}
        self.stem_df = stem_df
        self.stem_idf = {stem: math.log(1 + count / df) for stem, df in stem_df.items()}
        self.by_key = {item.key: item for item in every}

    # -- scoring ---------------------------------------------------------------------

    def query_terms(self, org_item):
        """The organisation's rarest stems found elsewhere in the pool: its query."""
        own = org_item.stems
        # Its own row counts once in the document frequency: more is elsewhere.
        known = [stem for stem in own if self.stem_df.get(stem, 0) >= 2]
        known.sort(key=lambda stem: (-self.stem_idf[stem], stem))
        return known[:QUERY_TERMS]

    def _dismissed_tags(self, org_id):
        tags = set()
        for key in self.dismissed[org_id]:
            item = self.by_key.get(key)
            if item is not None:
                tags |= item.tags
        return tags

    def candidates(self, organisation, kind):
        org_id = organisation.pk
        excluded = self.answered[org_id] | self.dismissed[org_id]
        items = self.items[kind]
        if kind == Kind.ORGANISATION:
            wanted = COUNTERPARTS.get(organisation.kind, ())
            return [
                item for item in items
                if item.object.kind in wanted and item.object.pk != org_id
                and item.key not in excluded
            ]
        if kind == Kind.FUNDING_CALL:
            return [
                item for item in items
                if organisation.kind in item.object.eligible_kinds and item.key not in excluded
            ]
        return [
            item for item in items if item.owner_id != org_id and item.key not in excluded
        ]

    def suggest(self, organisation, kinds=KINDS, text_hits=None):
        """{kind: [Suggestion, ...] best first} for `organisation`. `text_hits`:
        {(kind, id): matched stems} from the search index, for the kinds of its
        `kinds` (`fulltext.index_hits`); the others are matched on their text here."""
        org_item = self.org_items[organisation.pk]
        terms = self.query_terms(org_item)
        penalised = self._dismissed_tags(organisation.pk)
        result = {}
        for kind in kinds:
            suggestions = []
            for item in self.candidates(organisation, kind):
                if text_hits is not None and kind in text_hits.kinds:
                    matched = text_hits.get(item.key, set())
                else:
                    matched = {stem for stem in terms if stem in item.stems}
                suggestion = self._score(org_item, item, matched, penalised)
                if suggestion.score >= MIN_SCORE:
                    suggestions.append(suggestion)
            suggestions.sort(key=lambda s: (-s.score, s.object.pk))
            result[kind] = suggestions
        return result

    def _score(self, org_item, item, matched, penalised):
        shared = sorted(
            org_item.tags & item.tags, key=lambda tag: (-self.tag_idf.get(tag, 0), tag)
        )
        sectors = sorted(org_item.sectors & item.sectors)
        # Words already counted as a shared tag add nothing more.
        tag_stems = {s for tag in shared for s in stems(tag)}
        words = sorted(set(matched) - tag_stems, key=lambda s: (-self.stem_idf.get(s, 0), s))
        score = sum(self.tag_idf.get(tag, 0) for tag in shared)
        score += SECTOR_WEIGHT * min(len(sectors), 2)
        score += TEXT_WEIGHT * sum(self.stem_idf.get(stem, 0) for stem in words)
        penalty = DISMISSED_WEIGHT * sum(
            self.tag_idf.get(tag, 0) for tag in item.tags & penalised
        )
        if not shared and len(words) < 2:
            score = 0.0  # a shared sector or one common word alone is no reason
        labels = dict(Sector.choices)
        return Suggestion(
            kind=item.kind,
            object=item.object,
            score=round(score - penalty, 4),
            tags=shared,
            words=[_display_word(item.text, stem) for stem in words],
            sectors=[labels[code] for code in sectors],
            penalty=round(penalty, 4),
        )


def organisations_for(item_kind, item_id, top=5, threshold=2.0):
    """The organisations whose `top` suggestions of `item_kind` the item enters with
    a score of at least `threshold` (for "new match" notifications): {organisation:
    Suggestion}. One pool for all, matched on text in Python."""
    pool = Pool.load()
    if (item_kind, item_id) not in pool.by_key:
        return {}
    found = {}
    for organisation in pool.organisations.values():
        listed = pool.suggest(organisation, kinds=(item_kind,))[item_kind][:top]
        for suggestion in listed:
            if suggestion.key == (item_kind, item_id) and suggestion.score >= threshold:
                found[organisation] = suggestion
    return found
