from .challenges import (  # noqa: F401
    Challenge,
    ChallengeQuestion,
    EvaluationCriterion,
    Proposal,
    ProposalNote,
    ProposalScore,
)
from .common import (  # noqa: F401
    ChallengeTag,
    ChoiceList,
    CollaborationType,
    FundingCallTag,
    OfferTag,
    Sector,
)
from .desk import Facilitator, FundingCall, Introduction  # noqa: F401
from .funnel import (  # noqa: F401
    ConfidentialDocument,
    DismissedSuggestion,
    NdaAcceptance,
    Outcome,
    StatusChange,
)
from .offers import ExpressionOfInterest, TechnologyOffer  # noqa: F401
