"""Accepted answers on question threads: who may mark one (the question's author and
moderators; not other members nor visitors), what readers see on the thread and on
lists, the live event and the audit entry when a moderator decides."""

import pytest
from django.urls import reverse

from community.models import AuditEntry, Thread
from community.services import answers, moderation, thread_tools, threads
from live.models import Event
from tests.community.thread_helpers import community_with_thread, login
from tests.support.roles import member_of, person_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _question(**kwargs):
    community, owner, _ = community_with_thread()
    asker = member_of(community)
    question = threads.thread_create(
        actor=asker,
        community=community,
        title="Quale sensore per il fango?",
        body="Cerco un sensore.",
        is_question=True,
        **kwargs,
    )
    helper = member_of(community)
    reply = threads.post_reply(actor=helper, thread=question, body="Un radar a 80 GHz.")
    return community, owner, asker, helper, question, reply


def _accept_url(post):
    return reverse("community:post-accept", args=[post.pk])


def _clear_url(thread):
    return reverse("community:answer-clear", args=[thread.community.slug, thread.pk])


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("asker", True),
        ("moderator", True),
        ("owner", True),
        ("staff", True),
        ("member", False),
        ("helper", False),  # answering is not accepting
        ("outsider", False),
        ("anonymous", False),
    ],
)
def test_only_the_asker_and_moderators_mark_the_accepted_answer(client, role, allowed):
    community, owner, asker, helper, question, reply = _question()
    person = {"asker": asker, "helper": helper, "owner": owner}.get(role) or person_in(
        community, role
    )
    login(client, person)

    response = client.post(_accept_url(reply))

    question.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert question.accepted_answer_id == reply.pk
    elif role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
    if not allowed:
        assert question.accepted_answer_id is None


def test_the_accept_button_shows_only_to_who_may_use_it(client):
    community, owner, asker, helper, question, reply = _question()

    for person, shown in ((asker, True), (owner, True), (helper, False), (None, False)):
        client.logout()
        html = login(client, person).get(question.get_absolute_url()).content.decode()
        assert ("Accept as answer" in html) is shown, person


def test_the_question_itself_a_hidden_reply_and_a_plain_discussion_cannot_be_answers(client):
    community, owner, asker, helper, question, reply = _question()
    first = question.posts.get(number=1)
    login(client, asker)
    assert client.post(_accept_url(first)).status_code == 403

    moderation.post_hide(actor=owner, post=reply, reason="Spam")
    assert client.post(_accept_url(reply)).status_code == 403

    plain = threads.thread_create(actor=asker, community=community, title="News", body="x")
    other = threads.post_reply(actor=helper, thread=plain, body="y")
    assert client.post(_accept_url(other)).status_code == 403
    assert not Thread.objects.filter(accepted_answer__isnull=False).exists()


def test_a_locked_question_is_decided_by_moderators_only(client):
    community, owner, asker, helper, question, reply = _question()
    moderation.thread_lock(actor=owner, thread=question)

    assert login(client, asker).post(_accept_url(reply)).status_code == 403
    assert login(client, owner).post(_accept_url(reply)).status_code == 302


def test_the_answer_is_highlighted_linked_from_the_first_post_and_solved_on_lists(client):
    community, owner, asker, helper, question, reply = _question()
    answers.answer_accept(actor=asker, post=reply)

    html = client.get(question.get_absolute_url()).content.decode()
    assert 'class="post post--answer"' in html and f'id="p{reply.pk}"' in html
    summary = html.split("data-answer-summary")[1].split("</li>")[0]
    assert f'href="/p/{reply.pk}/"' in summary
    assert "Answered in post #2 by" in summary
    # The summary comes right under the question, before the answer.
    assert html.index("data-answer-summary") < html.index(f'id="p{reply.pk}"')

    listing = client.get(community.get_absolute_url()).content.decode()
    row = listing.split(f'data-thread-row="{question.pk}"')[1].split("</li>\n")[0]
    assert "data-solved" in row and "Solved" in row

    answers.answer_clear(actor=asker, thread=question)
    listing = client.get(community.get_absolute_url()).content.decode()
    row = listing.split(f'data-thread-row="{question.pk}"')[1].split("</li>\n")[0]
    assert "data-solved" not in row and "Question" in row


def test_marking_records_a_live_event_and_moderators_leave_an_audit_entry(client):
    community, owner, asker, helper, question, reply = _question()
    second = threads.post_reply(actor=owner, thread=question, body="Oppure ultrasuoni.")

    answers.answer_accept(actor=asker, post=reply)
    answers.answer_accept(actor=owner, post=second)
    answers.answer_clear(actor=owner, thread=question)

    answered = list(
        Event.objects.filter(stream=question.stream, type="thread.answered")
        .order_by("seq")
        .values_list("payload", flat=True)
    )
    assert [payload["answer"] for payload in answered] == [reply.pk, second.pk, None]
    # The asker's own decision is theirs; the moderator's two are audited.
    entries = AuditEntry.objects.filter(thread_id_ref=question.pk).order_by("pk")
    assert [(entry.action, entry.post_id_ref) for entry in entries] == [
        (AuditEntry.Action.ANSWER_ACCEPTED, second.pk),
        (AuditEntry.Action.ANSWER_CLEARED, second.pk),
    ]


def test_clearing_follows_the_same_rule(client):
    community, owner, asker, helper, question, reply = _question()
    answers.answer_accept(actor=asker, post=reply)

    assert login(client, helper).post(_clear_url(question)).status_code == 403
    question.refresh_from_db()
    assert question.accepted_answer_id == reply.pk
    assert login(client, asker).post(_clear_url(question)).status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_the_new_thread_form_starts_a_question(client):
    community, owner, _ = community_with_thread()
    member = member_of(community)
    login(client, member).post(
        reverse("community:thread-create", args=[community.slug]),
        {"title": "Come si misura?", "body": "Domanda.", "is_question": "on"},
    )
    assert Thread.objects.get(title="Come si misura?").is_question


@pytest.mark.parametrize("how", ["hide", "remove", "delete"])
def test_a_hidden_or_deleted_answer_leaves_the_question_unsolved(client, how):
    community, owner, asker, helper, question, reply = _question()
    answers.answer_accept(actor=asker, post=reply)
    reply.refresh_from_db()

    if how == "hide":
        moderation.post_hide(actor=owner, post=reply)
    elif how == "remove":
        thread_tools.post_remove(actor=owner, post=reply)
    else:
        threads.post_delete(actor=helper, post=reply)

    question.refresh_from_db()
    assert question.accepted_answer_id is None
    listing = client.get(community.get_absolute_url()).content.decode()
    row = listing.split(f'data-thread-row="{question.pk}"')[1].split("</li>\n")[0]
    assert "data-solved" not in row and "Question" in row
    answered = Event.objects.filter(stream=question.stream, type="thread.answered")
    assert answered.latest("seq").payload["answer"] is None
