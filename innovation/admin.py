"""Admin registration for staff: the funnel's rows, read-only.

Statuses, disclosures and workspaces opened by acceptance are kept in step by the
services (events, notifications, the search index): staff look here, and the people
concerned act through the site."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from community.admin import ReadOnlyAdmin, ReadOnlyInline, service_action

from .models import (
    Challenge,
    ChallengeQuestion,
    ConfidentialDocument,
    DismissedSuggestion,
    EvaluationCriterion,
    ExpressionOfInterest,
    Facilitator,
    FundingCall,
    Introduction,
    NdaAcceptance,
    Outcome,
    Proposal,
    StatusChange,
    TechnologyOffer,
)
from .services import desk


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


class FacilitatorForm(forms.ModelForm):
    class Meta:
        model = Facilitator
        fields = ("person", "organisation")


@admin.register(Facilitator)
class FacilitatorAdmin(admin.ModelAdmin):
    """The one innovation row staff write here: granting the role (the add form) and
    changing the organisation both call `desk.facilitator_grant`, revoking is an
    action calling `desk.facilitator_revoke` (rows are kept, inactive, never
    deleted), so each change is recorded like the site's own."""

    form = FacilitatorForm
    list_display = ("person", "organisation", "is_active", "granted_by", "granted_at")
    list_filter = ("is_active",)
    list_select_related = ("person", "organisation", "granted_by")
    search_fields = ("person__username", "person__email", "organisation__name")
    autocomplete_fields = ("person", "organisation")
    readonly_fields = ("is_active", "granted_by", "granted_at")
    actions = [
        service_action(
            "facilitator_revoke",
            _("Revoke the facilitator role of the selected people"),
            lambda actor, facilitator: desk.facilitator_revoke(
                actor=actor, person=facilitator.person
            ),
            "facilitator",
        ),
        service_action(
            "facilitator_regrant",
            _("Give the facilitator role back to the selected people"),
            lambda actor, facilitator: desk.facilitator_grant(
                actor=actor, person=facilitator.person, organisation=facilitator.organisation
            ),
            "facilitator",
        ),
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("person", "organisation")
        return ("organisation", "is_active", "granted_by", "granted_at")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        person = obj.person
        try:
            row = desk.facilitator_grant(
                actor=request.user, person=person, organisation=obj.organisation
            )
        except (PermissionDenied, ValidationError) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )
            raise PermissionDenied(str(error)) from None
        obj.pk = row.pk
        obj.is_active = row.is_active
        obj.granted_at = row.granted_at
