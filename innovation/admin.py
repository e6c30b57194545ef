"""Admin registration for staff: the funnel's rows, read-only.

Statuses, disclosures and workspaces opened by acceptance are kept in step by the
services (events, notifications, the search index): staff look here, and the people
concerned act through the site."""

from django.contrib import admin

from community.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Challenge,
    ChallengeQuestion,
    ConfidentialDocument,
    DismissedSuggestion,
    EvaluationCriterion,
    ExpressionOfInterest,
    FundingCall,
    Introduction,
    NdaAcceptance,
    Outcome,
    Proposal,
    StatusChange,
    TechnologyOffer,
)


class CriterionInline(ReadOnlyInline):
    model = EvaluationCriterion
    fields = ("name", "weight", "position")
    readonly_fields = fields


class QuestionInline(ReadOnlyInline):
    model = ChallengeQuestion
    fields = ("asked_by", "question", "answer", "answered_at")
    readonly_fields = fields


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "organisation",
        "status",
        "anonymous",
        "deadline",
        "published_at",
    )
    list_filter = ("status", "challenge_type", "anonymous")
    search_fields = ("title", "organisation__name")
    inlines = [CriterionInline, QuestionInline]


class ProposalStatusInline(ReadOnlyInline):
    model = StatusChange
    fk_name = "proposal"
    fields = ("status", "message", "actor", "created_at")
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "challenge", "organisation", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("title", "organisation__name", "challenge__title")
    inlines = [ProposalStatusInline]


@admin.register(TechnologyOffer)
class TechnologyOfferAdmin(ReadOnlyAdmin):
    list_display = ("title", "organisation", "trl", "ip_status", "status", "expires_at")
    list_filter = ("status", "ip_status", "trl")
    search_fields = ("title", "organisation__name", "patent_number")


class InterestStatusInline(ReadOnlyInline):
    model = StatusChange
    fk_name = "interest"
    fields = ("status", "message", "actor", "created_at")
    readonly_fields = fields


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(ReadOnlyAdmin):
    list_display = (
        "offer",
        "organisation",
        "collaboration_type",
        "status",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("offer__title", "organisation__name")
    inlines = [InterestStatusInline]


@admin.register(ConfidentialDocument)
class ConfidentialDocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "challenge",
        "offer",
        "proposal",
        "kind",
        "size",
        "created_at",
    )


@admin.register(NdaAcceptance)
class NdaAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("person", "organisation", "challenge", "offer", "accepted_at")
    search_fields = ("person__username", "organisation__name")


@admin.register(FundingCall)
class FundingCallAdmin(ReadOnlyAdmin):
    list_display = ("title", "deadline", "status", "published_by")
    list_filter = ("status",)


@admin.register(Introduction)
class IntroductionAdmin(ReadOnlyAdmin):
    list_display = (
        "facilitator",
        "first_organisation",
        "second_organisation",
        "created_at",
    )


@admin.register(DismissedSuggestion)
class DismissedSuggestionAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "kind", "object_id", "dismissed_at")


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ("workspace", "result", "value_band", "recorded_at")
    list_filter = ("result", "value_band")
