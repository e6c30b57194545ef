"""Views for accepted answers: mark a reply of a question as its answer, take the mark
back (forms on the thread page; the services decide who may)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions
from ..services import answers
from .addresses import thread_in_its_community


@login_required
@require_POST
def post_accept(request, pk):
    """Mark post `pk` as its question's accepted answer: the author or a moderator."""
    post = permissions.access_post(request.user, pk)
    answers.answer_accept(actor=request.user, post=post)
    messages.success(request, _("This reply is marked as the accepted answer."))
    return redirect(post.get_absolute_url())


@login_required
@require_POST
@thread_in_its_community
def answer_clear(request, slug, pk):
    """Take back a question's accepted answer: the author or a moderator."""
    thread = permissions.access_thread(request.user, pk, community_slug=slug)
    answers.answer_clear(actor=request.user, thread=thread)
    messages.success(request, _("The question has no accepted answer any more."))
    return redirect(thread)


urlpatterns = [
    path("p/<int:pk>/accept/", post_accept, name="post-accept"),
    path("c/<slug:slug>/t/<int:pk>/answer/clear/", answer_clear, name="answer-clear"),
]
