"""Views for challenges: the innovation index, the open list, a challenge's page with
its public questions, drafting, a solver's proposal and the seeker's evaluation
board. Thin: permissions decide, services write, queries read."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from community.models import Community
from community.permissions import communities_visible_to
from workspaces.views.common import (
    form_add_errors,
    fragment_or_page,
    private_file_response,
)

from .. import permissions
from ..anonymity import seeker_known, seeker_shown
from ..forms.challenges import (
    AnswerForm,
    ChallengeFilterForm,
    ChallengeForm,
    NoteForm,
    ProposalForm,
    QuestionForm,
    ScoreForm,
    StepForm,
)
from ..models import ChallengeQuestion, FundingCall, TechnologyOffer
from ..queries import challenges as queries
from ..queries import dashboard
from ..queries import desk as desk_queries
from ..services import challenges as services
from ..services import proposals as proposal_services
from .disclosure import disclosure_context

__all__ = ["urlpatterns"]

NAV = {"nav_section": "innovation"}


@require_safe
def innovation_index(request):
    """The innovation area's front page: the latest open challenges and the ways in
    to every part of the funnel."""
    latest = queries.with_seekers(queries.open_challenges()[:5], request.user)
    offers = (
        TechnologyOffer.objects.filter(permissions.live_offers_condition())
        .select_related("organisation")
        .order_by("-published_at", "-pk")[:5]
    )
    organisation = permissions.acting_organisation(request.user)
    context = {
        **NAV,
        "latest_challenges": latest,
        "latest_offers": offers,
        # Published calls only: the desk's own list also shows the withdrawn ones.
        "upcoming_calls": desk_queries.funding_calls(request.user).filter(
            status=FundingCall.Status.PUBLISHED
        )[:3],
        "acting_organisation": organisation,
        "organisation_funnel": (
            dashboard.funnel(dashboard.steps(organisation=organisation))
            if organisation is not None
            else ()
        ),
        "is_desk": permissions.is_facilitator(request.user),
    }
    return render(request, "innovation/index.html", context)


@require_safe
def challenge_list(request):
    """Open challenges, filtered by sector, type, collaboration and tag; paginated."""
    form = ChallengeFilterForm(
        request.GET or None, communities=queries.challenge_communities(request.user)
    )
    filters = form.filters()
    page_obj = Paginator(
        queries.open_challenges(**filters), settings.DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        **NAV,
        "form": form,
        "filters": filters,
        "is_filtered": any(filters.values()),
        "page_obj": page_obj,
        "challenges": queries.with_seekers(page_obj.object_list, request.user),
        "can_create": request.user.is_authenticated
        and permissions.can_create_challenge(request.user),
    }
    return render(request, "innovation/challenges/challenge_list.html", context)


PANEL_SIZE = 5


def community_challenges_panel(request, community):
    """The open challenges tied to `community`, for the community's page (registered
    with `community.panels`); nothing when it has none."""
    challenges = list(queries.community_open_challenges(community)[: PANEL_SIZE + 1])
    if not challenges:
        return ""
    total = len(challenges)
    if total > PANEL_SIZE:
        total = queries.community_open_challenges(community).count()
    return render_to_string(
        "innovation/includes/community_challenges.html",
        {
            "community": community,
            "challenges": queries.with_seekers(challenges[:PANEL_SIZE], request.user),
            "total": total,
            "more": total > PANEL_SIZE,
        },
        request=request,
    )


@login_required
@require_safe
def challenge_mine(request):
    """My organisations' challenges (every step) and the proposals we sent."""
    user = request.user
    page_obj = Paginator(
        queries.organisation_challenges(user), settings.DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    challenges = list(page_obj.object_list)
    proposals_page = Paginator(
        queries.solver_proposals(user), settings.DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("proposals"))
    context = {
        **NAV,
        "page_obj": page_obj,
        "challenges": challenges,
        "proposals_page": proposals_page,
        "proposals": proposals_page.object_list,
        "can_create": permissions.can_create_challenge(user),
    }
    return render(request, "innovation/challenges/challenge_mine.html", context)


def _detail_context(request, challenge, **forms):
    user = request.user
    proposal = permissions.viewer_proposal(user, challenge)
    return {
        **NAV,
        "challenge": challenge,
        "disclosure": disclosure_context(user, challenge),
        "seeker": seeker_shown(challenge, user),
        "seeker_known": seeker_known(challenge, user),
        "questions": queries.questions(challenge),
        "criteria": challenge.criteria.all(),
        "tags": challenge.tags.all(),
        "sector_labels": queries.sector_labels(challenge),
        "community": queries.challenge_community(challenge, user),
        "my_proposal": proposal,
        "can_read_details": permissions.can_read_details(user, challenge),
        "can_edit": permissions.can_edit_challenge(user, challenge),
        "can_submit_for_validation": permissions.can_submit_for_validation(
            user, challenge
        ),
        "can_ask": permissions.can_ask_question(user, challenge),
        "can_answer": permissions.can_answer_question(user, challenge),
        "can_propose": permissions.can_submit_proposal(user, challenge),
        "proposal_refusal": permissions.proposal_refusal(user, challenge),
        "can_see_board": permissions.can_see_board(user, challenge),
        "can_start_evaluating": permissions.can_start_evaluating(user, challenge),
        "can_close": permissions.can_close_challenge(user, challenge),
        "can_award": permissions.can_award_challenge(user, challenge),
        "question_form": forms.get("question_form") or QuestionForm(),
        "answer_form": AnswerForm(),
        "live_streams": challenge.stream,
        # The page's own address, also when a POST re-renders it with errors.
        "live_url": challenge.get_absolute_url(),
    }


@require_safe
def challenge_detail(request, challenge_id):
    challenge = permissions.access_challenge(request.user, challenge_id)
    return fragment_or_page(
        request,
        "innovation/challenges/challenge_detail.html",
        "innovation/challenges/challenge_detail_live.html",
        _detail_context(request, challenge),
    )


def _communities(user):
    return communities_visible_to(
        user, Community.objects.filter(kind=Community.Kind.COMMUNITY)
    )


def _challenge_form_view(request, challenge=None):
    user = request.user
    if challenge is None:
        permissions.require_create_challenge(user)
    else:
        permissions.require_edit_challenge(user, challenge)
    form = ChallengeForm(
        request.POST or None, instance=challenge, communities=_communities(user)
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if challenge is None:
                challenge = services.challenge_create(actor=user, **fields)
                messages.success(
                    request,
                    _("Your draft is saved. Send it for validation when it is ready."),
                )
            else:
                services.challenge_update(actor=user, challenge=challenge, **fields)
                messages.success(request, _("The draft is saved."))
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return redirect(challenge.get_absolute_url())
    context = {**NAV, "form": form, "challenge": challenge}
    status = 400 if request.method == "POST" else 200
    return render(
        request, "innovation/challenges/challenge_form.html", context, status=status
    )


@login_required
def challenge_create(request):
    return _challenge_form_view(request)


@login_required
def challenge_edit(request, challenge_id):
    challenge = permissions.access_challenge(request.user, challenge_id)
    return _challenge_form_view(request, challenge)


# What the seeker's buttons on the challenge page do, and what they then read.
_CHALLENGE_STEPS = {
    "submit": (
        services.challenge_submit_for_validation,
        gettext_lazy("Sent to the innovation desk for validation."),
    ),
    "evaluate": (
        services.challenge_start_evaluating,
        gettext_lazy("The call is closed to new proposals: evaluation has started."),
    ),
    "close": (services.challenge_close, gettext_lazy("The challenge is closed.")),
    "award": (
        services.challenge_award,
        gettext_lazy("The challenge is marked as awarded."),
    ),
}


@login_required
@require_POST
def challenge_step(request, challenge_id, step):
    challenge = permissions.access_challenge(request.user, challenge_id)
    if step not in _CHALLENGE_STEPS:
        raise PermissionDenied
    service, done = _CHALLENGE_STEPS[step]
    try:
        service(actor=request.user, challenge=challenge)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return redirect(challenge.get_absolute_url())


@login_required
@require_POST
def question_ask(request, challenge_id):
    challenge = permissions.access_challenge(request.user, challenge_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_ask(
                actor=request.user,
                challenge=challenge,
                question=form.cleaned_data["question"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(
                request, _("Your question is posted; the seeker will answer.")
            )
            return redirect(challenge.get_absolute_url() + "#questions")
    return render(
        request,
        "innovation/challenges/challenge_detail.html",
        _detail_context(request, challenge, question_form=form),
        status=400,
    )


@login_required
@require_POST
def question_answer(request, challenge_id, question_id):
    challenge = permissions.access_challenge(request.user, challenge_id)
    permissions.require_answer_question(request.user, challenge)
    question = ChallengeQuestion.objects.filter(
        pk=question_id, challenge=challenge
    ).first()
    form = AnswerForm(request.POST)
    if question is None:
        messages.error(request, _("That question no longer exists."))
    elif not form.is_valid():
        messages.error(request, _("Write the answer."))
    else:
        services.question_answer(
            actor=request.user, question=question, answer=form.cleaned_data["answer"]
        )
        messages.success(request, _("Your answer is published."))
    return redirect(challenge.get_absolute_url() + "#questions")


@login_required
def proposal_create(request, challenge_id):
    user = request.user
    challenge = permissions.access_challenge(user, challenge_id)
    permissions.require_submit_proposal(user, challenge)
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_services.proposal_submit(
                actor=user, challenge=challenge, **form.cleaned_data
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Your proposal was sent to the seeker."))
            return redirect(proposal.get_absolute_url())
    context = {
        **NAV,
        "form": form,
        "challenge": challenge,
        "seeker": seeker_shown(challenge, user),
    }
    status = 400 if request.method == "POST" else 200
    return render(
        request, "innovation/challenges/proposal_form.html", context, status=status
    )


@login_required
@require_safe
def challenge_board(request, challenge_id):
    """The seeker's evaluation board: proposals by status, scored and annotated."""
    user = request.user
    challenge = permissions.access_challenge(user, challenge_id)
    if not permissions.can_see_board(user, challenge):
        raise PermissionDenied(_("Only the seeker's people evaluate proposals."))
    criteria, columns = queries.board(challenge)
    for column in columns:
        for proposal in column["proposals"]:
            proposal.score_form = ScoreForm(
                criteria=criteria, scores=proposal.score_map, prefix=f"p{proposal.pk}"
            )
    context = {
        **NAV,
        "challenge": challenge,
        "criteria": criteria,
        "columns": columns,
        "can_evaluate": permissions.can_evaluate(user, challenge),
        "can_decide": permissions.can_decide_challenge(user, challenge),
        "step_form": StepForm(),
        "note_form": NoteForm(),
        "live_streams": challenge.stream,
        "live_url": reverse("innovation:challenge-board", args=[challenge.pk]),
    }
    return fragment_or_page(
        request,
        "innovation/challenges/challenge_board.html",
        "innovation/challenges/challenge_board_live.html",
        context,
    )


@login_required
@require_safe
def proposal_detail(request, proposal_id):
    user = request.user
    proposal = permissions.access_proposal(user, proposal_id)
    challenge = proposal.challenge
    context = {
        **NAV,
        "proposal": proposal,
        "challenge": challenge,
        "seeker": seeker_shown(challenge, user),
        "history": queries.status_history(proposal),
        "attachments": proposal.attachments.all(),
        "can_withdraw": permissions.can_withdraw_proposal(user, proposal),
        "can_see_board": permissions.can_see_board(user, challenge),
        "step_form": StepForm(),
        # Its steps are recorded on its challenge's stream.
        "live_streams": challenge.stream,
        "live_url": proposal.get_absolute_url(),
    }
    return fragment_or_page(
        request,
        "innovation/challenges/proposal_detail.html",
        "innovation/challenges/proposal_detail_live.html",
        context,
    )


_PROPOSAL_STEPS = {
    "shortlist": (
        proposal_services.proposal_shortlist,
        gettext_lazy("The proposal is shortlisted; its authors now read the details."),
    ),
    "decline": (
        proposal_services.proposal_decline,
        gettext_lazy("The proposal is declined."),
    ),
    "accept": (
        proposal_services.proposal_accept,
        gettext_lazy(
            "The proposal is accepted: a workspace is open for both organisations."
        ),
    ),
    "withdraw": (
        proposal_services.proposal_withdraw,
        gettext_lazy("Your proposal is withdrawn."),
    ),
}


def _back(request, proposal):
    if permissions.can_see_board(request.user, proposal.challenge):
        return redirect("innovation:challenge-board", proposal.challenge_id)
    return redirect(proposal.get_absolute_url())


@login_required
@require_POST
def proposal_step(request, proposal_id, step):
    proposal = permissions.access_proposal(request.user, proposal_id)
    if step not in _PROPOSAL_STEPS:
        raise PermissionDenied
    service, done = _PROPOSAL_STEPS[step]
    form = StepForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, _("Keep the message under 3,000 characters."))
        return _back(request, proposal)
    try:
        service(actor=request.user, proposal=proposal, message=message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return _back(request, proposal)
    messages.success(request, str(done))
    if step == "accept":
        return redirect(proposal.workspace.get_absolute_url())
    return _back(request, proposal)


@login_required
@require_POST
def proposal_reveal(request, proposal_id):
    proposal = permissions.access_proposal(request.user, proposal_id)
    proposal_services.proposal_reveal_seeker(actor=request.user, proposal=proposal)
    messages.success(
        request, _("Your organisation's name is now shown to this solver.")
    )
    return _back(request, proposal)


@login_required
@require_POST
def proposal_note(request, proposal_id):
    proposal = permissions.access_proposal(request.user, proposal_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        proposal_services.note_add(
            actor=request.user, proposal=proposal, body=form.cleaned_data["body"]
        )
        messages.success(request, _("Note added."))
    else:
        permissions.require_evaluate(request.user, proposal.challenge)
        messages.error(request, _("Write the note."))
    return _back(request, proposal)


@login_required
@require_POST
def proposal_scores(request, proposal_id):
    proposal = permissions.access_proposal(request.user, proposal_id)
    permissions.require_evaluate(request.user, proposal.challenge)
    form = ScoreForm(
        request.POST,
        criteria=proposal.challenge.criteria.all(),
        prefix=f"p{proposal.pk}",
    )
    if form.is_valid():
        proposal_services.scores_set(
            actor=request.user, proposal=proposal, scores=form.scores()
        )
        messages.success(request, _("Scores saved."))
    else:
        messages.error(request, _("Scores go from 0 to 5."))
    return _back(request, proposal)


@login_required
@require_GET
def proposal_attachment(request, proposal_id, document_id):
    """A proposal's attachment, for the two organisations and the desk only."""
    proposal = permissions.access_proposal(request.user, proposal_id)
    document = permissions.access_proposal_document(request.user, proposal, document_id)
    return private_file_response(
        document.file,
        filename=document.original_name,
        content_type="application/octet-stream",
    )


urlpatterns = [
    path("", innovation_index, name="index"),
    path("challenges/", challenge_list, name="challenge-list"),
    path("challenges/mine/", challenge_mine, name="challenge-mine"),
    path("challenges/new/", challenge_create, name="challenge-create"),
    path("challenges/<int:challenge_id>/", challenge_detail, name="challenge-detail"),
    path("challenges/<int:challenge_id>/edit/", challenge_edit, name="challenge-edit"),
    path(
        "challenges/<int:challenge_id>/questions/",
        question_ask,
        name="question-ask",
    ),
    path(
        "challenges/<int:challenge_id>/questions/<int:question_id>/answer/",
        question_answer,
        name="question-answer",
    ),
    path(
        "challenges/<int:challenge_id>/propose/",
        proposal_create,
        name="proposal-create",
    ),
    path(
        "challenges/<int:challenge_id>/board/", challenge_board, name="challenge-board"
    ),
    path(
        "challenges/<int:challenge_id>/<slug:step>/",
        challenge_step,
        name="challenge-step",
    ),
    path("proposals/<int:proposal_id>/", proposal_detail, name="proposal-detail"),
    path(
        "proposals/<int:proposal_id>/reveal/", proposal_reveal, name="proposal-reveal"
    ),
    path("proposals/<int:proposal_id>/notes/", proposal_note, name="proposal-note"),
    path(
        "proposals/<int:proposal_id>/scores/", proposal_scores, name="proposal-scores"
    ),
    path(
        "proposals/<int:proposal_id>/attachments/<int:document_id>/",
        proposal_attachment,
        name="proposal-attachment",
    ),
    path(
        "proposals/<int:proposal_id>/<slug:step>/", proposal_step, name="proposal-step"
    ),
]
