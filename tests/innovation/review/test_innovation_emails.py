"""Every open-innovation notification that is e-mailed at once says what happened in
its subject and body, in the recipient's language, with an absolute link to it; an
anonymous seeker is only its description there (never the organisation, its people
or the challenge's details) until it reveals itself; e-mail about innovation can be
turned off; new matches wait for the digest."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail as outbox
from django.urls import reverse
from django.utils import timezone

from innovation.models import ExpressionOfInterest
from innovation.services import (
    challenges,
    desk,
    interests,
    offers,
    proposals,
    validation,
)
from notifications import mail
from notifications.email_models import EmailPreference, NotificationEmail
from notifications.models import Notification
from tests.innovation import factories_desk
from tests.innovation.factories_challenges import ChallengeFactory
from tests.innovation.factories_offers import OfferFactory, offer_world
from tests.support.workspaces import person_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DESCRIPTION = "a firm in Manifattura, 50-249 people, Lombardia"
DESCRIPTION_IT = "un'impresa del settore Manifattura"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


def _send_due():
    """The sweep, once every notification so far has fallen due."""
    later = timezone.now() + timedelta(
        minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES + 1
    )
    return mail.deliver_due(now=later)


def _mail_of(person):
    """The one e-mail `person` received: subject, plain text and HTML together."""
    [message] = [m for m in outbox.outbox if m.to == [person.email]]
    return " ".join([message.subject, message.body, message.alternatives[0][0]])


def _link(url):
    return settings.SITE_URL + url


def _speaks(person, language):
    person.language = language
    person.save(update_fields=["language"])
    return person


def test_an_interest_is_emailed_to_the_owner_and_its_decision_to_the_sender(run):
    world = offer_world(title="Self-healing coating")
    world.interest.delete()
    owner = _speaks(world.person("owner"), "it")
    sender = _speaks(world.person("sender"), "en")
    interest = run(
        interests.interest_send,
        actor=sender,
        offer=world.offer,
        who_we_are="ANSWER-WHO",
        intended_use="ANSWER-USE",
        cooperation="ANSWER-COOP",
        collaboration_type="licence",
    )
    assert _send_due() == 1
    text = _mail_of(owner)
    # The owner reads Italian: the sentence is the catalogue's.
    assert (
        "Officine Sender ha manifestato interesse per la tua offerta "
        "“Self-healing coating”" in text
    )
    assert _link(reverse("innovation:interest-detail", args=[interest.pk])) in text
    for secret in ("ANSWER-", world.offer.details):
        assert secret not in text

    outbox.outbox.clear()
    run(interests.interest_decline, actor=owner, interest=interest, message="No.")
    assert _send_due() == 1
    text = _mail_of(sender)
    assert "Your interest in “Self-healing coating” was declined" in text
    assert text.startswith("[Crocevia] ")


def test_an_offer_about_to_expire_is_emailed_to_its_owner(run):
    offer = OfferFactory(
        title="Graphene ink", expires_at=timezone.now() + timedelta(days=3)
    )
    owner = _speaks(person_of(offer.organisation, admin=True), "en")
    run(offers.offers_expiry_notify)
    assert _send_due() == 1
    text = _mail_of(owner)
    assert "Your offer “Graphene ink” expires soon: renew it to keep it listed" in text
    assert _link(reverse("innovation:offer-detail", args=[offer.pk])) in text


def test_an_anonymous_seekers_steps_are_emailed_without_its_name(run):
    challenge = ChallengeFactory(
        anonymous=True, title="Carbon recycling", details="SECRET-DETAILS-XYZ"
    )
    seeker = person_of(
        challenge.organisation,
        admin=True,
        display_name="Giulia Seeker",
        username="giulia_seeker",
        language="en",
    )
    solver = person_of(display_name="Sara Solver", language="en")
    italian = person_of(language="it")
    asker = person_of(language="en")
    proposal = run(
        proposals.proposal_submit,
        actor=solver,
        challenge=challenge,
        title="Pyrolysis",
        summary="A process.",
    )
    other = run(
        proposals.proposal_submit,
        actor=italian,
        challenge=challenge,
        title="Solvolysis",
        summary="Another process.",
    )
    question = run(
        challenges.question_ask, actor=asker, challenge=challenge, question="Volumes?"
    )
    outbox.outbox.clear()
    NotificationEmail.objects.all().delete()
    Notification.objects.filter(recipient=seeker).delete()
    run(challenges.question_answer, actor=seeker, question=question, answer="40 t.")
    run(proposals.proposal_shortlist, actor=seeker, proposal=proposal, message="Yes")
    run(proposals.proposal_decline, actor=seeker, proposal=other, message="No")
    assert _send_due() == 3

    secrets = (
        challenge.organisation.name,
        "Giulia Seeker",
        "giulia_seeker",
        seeker.email,
        "SECRET-DETAILS-XYZ",
    )
    text = _mail_of(solver)
    assert f"{DESCRIPTION} shortlisted your proposal to “Carbon recycling”" in text
    assert _link(reverse("innovation:proposal-detail", args=[proposal.pk])) in text
    text_asker = _mail_of(asker)
    assert f"{DESCRIPTION} answered your question on “Carbon recycling”" in text_asker
    # In the recipient's language, the description too.
    text_italian = _mail_of(italian)
    assert DESCRIPTION_IT in text_italian and DESCRIPTION not in text_italian
    for sent in (text, text_asker, text_italian):
        for secret in secrets:
            assert secret not in sent

    # Revealed to the solver, the next e-mail names the seeker to them alone.
    outbox.outbox.clear()
    run(proposals.proposal_reveal_seeker, actor=seeker, proposal=proposal)
    run(proposals.proposal_accept, actor=seeker, proposal=proposal, message="Deal")
    _send_due()
    assert challenge.organisation.name in _mail_of(solver)


def test_the_seeker_is_emailed_the_solvers_proposal(run):
    challenge = ChallengeFactory(anonymous=True, title="Carbon recycling")
    seeker = person_of(challenge.organisation, admin=True, language="en")
    solver = person_of(language="en")
    run(
        proposals.proposal_submit,
        actor=solver,
        challenge=challenge,
        title="Pyrolysis",
        summary="A process.",
    )
    _send_due()
    text = _mail_of(seeker)
    assert (
        f"{solver.organisation.name} sent a proposal to your challenge "
        "“Carbon recycling”" in text
    )


def test_the_desks_decisions_help_and_introductions_are_emailed(run):
    offer = factories_desk.OfferFactory(title="Thermal sensor")
    firm_admin = _speaks(person_of(offer.organisation, admin=True), "en")
    refuser = _speaks(factories_desk.facilitator(), "en")
    run(
        validation.item_refuse,
        actor=refuser,
        item=offer,
        reason="Add the TRL evidence.",
    )
    draft = factories_desk.ChallengeFactory(status="draft", title="Smart irrigation")
    draft_admin = _speaks(person_of(draft.organisation, admin=True), "en")
    helper = _speaks(factories_desk.facilitator(), "it")
    run(desk.help_request, actor=draft_admin, item=draft)
    # The firm is told of the refusal; both facilitators of the request.
    assert _send_due() == 3
    assert "asks the innovation desk for help" in _mail_of(refuser)
    text = _mail_of(firm_admin)
    assert "The innovation desk sent “Thermal sensor” back to draft: read why" in text
    assert _link(reverse("innovation:desk-item", args=["offer", offer.pk])) in text
    text = _mail_of(helper)
    assert (
        f"{draft.organisation.name} chiede aiuto allo sportello innovazione per la "
        "sua bozza «Smart irrigation»" in text
    )
    assert _link(reverse("innovation:desk-item", args=["challenge", draft.pk])) in text

    outbox.outbox.clear()
    run(desk.draft_take, actor=helper, item=draft)
    first = person_of(language="en")
    second = person_of(language="en")
    introduction = run(
        desk.introduction_create,
        actor=helper,
        first=first.username,
        second=second.username,
        message="Meet.",
    )
    assert _send_due() == 3
    assert f"{helper.name} of the innovation desk now helps with your draft" in (
        _mail_of(draft_admin)
    )
    for person in (first, second):
        text = _mail_of(person)
        assert f"{helper.name} of the innovation desk introduced you" in text
        assert (
            _link(reverse("innovation:introduction-detail", args=[introduction.pk]))
            in text
        )


def test_innovation_emails_can_be_turned_off_and_unsubscribed(run, client):
    world = offer_world(interest_status=ExpressionOfInterest.Status.SENT)
    owner = world.person("owner")
    sender = world.person("sender")
    EmailPreference.objects.create(person=owner, innovation=False)
    run(interests.interest_review, actor=owner, interest=world.interest)
    run(
        interests.interest_send,
        actor=world.person("unrelated"),
        offer=world.offer,
        who_we_are="We.",
        intended_use="Use.",
        cooperation="Licence.",
        collaboration_type="licence",
    )
    _send_due()
    # The sender hears of the review; the owner, who turned these off, nothing.
    assert [m.to for m in outbox.outbox] == [[sender.email]]
    assert NotificationEmail.objects.filter(
        notification__recipient=owner, outcome=NotificationEmail.Outcome.DECLINED
    ).exists()

    # The e-mail's one-click link stops exactly these e-mails.
    [message] = outbox.outbox
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<{mail.unsubscribe_url(sender.pk, 'innovation')}>"
    )
    done = client.post(
        mail.unsubscribe_url(sender.pk, "innovation"),
        {"List-Unsubscribe": "One-Click"},
    )
    assert "open innovation" in done.content.decode()
    preference = EmailPreference.objects.get(person=sender)
    assert preference.innovation is False and preference.mentions is True


def test_the_settings_page_turns_innovation_emails_off(client):
    person = person_of(language="en")
    client.force_login(person)
    page = client.get(reverse("notifications:email-settings")).content.decode()
    assert "About open innovation" in page
    client.post(
        reverse("notifications:email-settings"),
        {"mentions": "on", "replies": "on", "invitations": "on", "digest": "off"},
    )
    preference = EmailPreference.objects.get(person=person)
    assert preference.innovation is False and preference.mentions is True


def test_a_new_match_waits_for_the_digest():
    person = person_of(language="en")
    notification = Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.NEW_MATCH,
        event_type="challenge.published",
        item_ref=1,
    )
    assert _send_due() == 0
    assert not NotificationEmail.objects.filter(notification=notification).exists()
