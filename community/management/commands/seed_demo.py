"""Seed a believable Lombard open-innovation network through the write services."""

import datetime
import random

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Min
from django.test.utils import override_settings
from django.utils import timezone

from community.models import (
    Affiliation,
    Community,
    Membership,
    Organisation,
    Post,
    Report,
    ReviewItem,
    Thread,
    User,
)
from community.services import (
    accounts,
    memberships,
    moderation,
    reports,
    rooms,
)
from community.services import communities as community_services
from community.services import organisations as organisation_services
from community.services import threads as thread_services

from . import demo_content as demo

DEMO_DOMAIN = "demo.crocevia.it"


def demo_email(username):
    return f"{username}@{DEMO_DOMAIN}"


# The provinces of the demo organisations' cities.
DEMO_PROVINCES = {
    "Bergamo": "BG",
    "Como": "CO",
    "Lodi": "LO",
    "Milano": "MI",
    "Monza": "MB",
    "Pavia": "PV",
    "San Pellegrino Terme": "BG",
    "Sondrio": "SO",
}


class Command(BaseCommand):
    help = "Create the demo network (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--first-start",
            action="store_true",
            help="Seed only when the database has no people yet (used by `make run`).",
        )

    def handle(self, *args, first_start=False, **options):
        if User.objects.filter(username="giulia", email=demo_email("giulia")).exists():
            self.stdout.write("Demo data already present.")
        elif first_start and User.objects.exists():
            self.stdout.write("Database already in use: demo data not added.")
            return
        else:
            # Demo writes go through the services, without their rate limits.
            unlimited = {action: (10**9, 60) for action in settings.RATE_LIMITS}
            with override_settings(RATE_LIMITS=unlimited), transaction.atomic():
                self.seed()
            self.stdout.write(self.style.SUCCESS("Demo network created."))
        self.print_logins()

    def seed(self):
        rng = random.Random(2026)
        people = {}
        for username, name, _org, language, bio, expertise in demo.PEOPLE:
            user = User.objects.create_user(
                username=username,
                email=demo_email(username),
                password=demo.PASSWORD,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=True
            )
            accounts.profile_update(
                actor=user,
                display_name=name,
                bio=bio,
                expertise=expertise,
                language=language,
                time_zone="Europe/Rome",
            )
            people[username] = user

        organisations = []
        for index, row in enumerate(demo.ORGANISATIONS):
            name, kind, sector, size, city, website, description, comps, interests = row
            members = [p for p in demo.PEOPLE if p[2] == index]
            founder = people[members[0][0]]
            organisation = organisation_services.organisation_create(
                actor=founder,
                name=name,
                kind=kind,
                sector=sector,
                size=size,
                city=city,
                province=DEMO_PROVINCES.get(city, ""),
                region="Lombardia",
                website=website,
                description=description,
                competences=comps,
                interests=interests,
            )
            for member in members[1:]:
                affiliation = organisation_services.affiliation_request(
                    actor=people[member[0]], organisation=organisation
                )
                organisation_services.affiliation_approve(actor=founder, affiliation=affiliation)
            organisations.append(organisation)

        communities = {}
        for slug, name, visibility, owner, moderators, description, themes in demo.COMMUNITIES:
            community = community_services.community_create(
                actor=people[owner],
                name=name,
                description=description,
                visibility=Community.Visibility.PUBLIC,
                themes=themes,
            )
            if community.slug != slug:
                Community.objects.filter(pk=community.pk).update(slug=slug)
                community.refresh_from_db()
            participants = [*moderators, *demo.MEMBERS.get(slug, [])]
            for author, _title, _body, _tags, replies in demo.THREADS.get(slug, []):
                participants += [author, *(name for name, _text in replies)]
            joined = {owner}
            for username in participants:
                if username not in joined:
                    memberships.community_join(actor=people[username], community=community)
                    joined.add(username)
            for username in moderators:
                membership = community.memberships.get(user=people[username])
                memberships.membership_set_role(
                    actor=people[owner],
                    membership=membership,
                    role=Membership.Role.MODERATOR,
                )
            self.seed_threads(community, people, rng)
            self.seed_rooms(community, people, owner)
            if visibility != Community.Visibility.PUBLIC:
                community_services.community_update(
                    actor=people[owner],
                    community=community,
                    name=community.name,
                    description=community.description,
                    visibility=visibility,
                    themes=themes,
                )
                community.refresh_from_db()
            communities[slug] = community

        # Something to act on: a pending request and an open invitation.
        memberships.community_request_join(
            actor=people["davide"], community=communities["trasferimento-tecnologico"]
        )
        memberships.membership_invite(
            actor=people["paolo"],
            community=communities["consorzio-idrogeno-valtellina"],
            invitee=people["giorgio"],
        )
        organisation_services.affiliation_request(actor=people["silvia"], organisation=organisations[9])
        self.seed_moderation(communities["manifattura-avanzata"], people)
        # The apps above community (workspaces...) add their own demo data (before the
        # history is backdated, so it is dated with the rest): each
        # AppConfig with a `seed_demo(stdout)` is called, so this app imports none.
        for config in apps.get_app_configs():
            seed = getattr(config, "seed_demo", None)
            if seed is not None:
                seed(self.stdout)
        self.backdate_joins(rng)

    def seed_threads(self, community, people, rng):
        """Create the community's threads and replies, then spread them over past weeks."""
        now = timezone.now()
        threads = demo.THREADS.get(community.slug, [])
        for position, (author, title, body, tags, replies) in enumerate(threads):
            thread = thread_services.thread_create(
                actor=people[author], community=community, title=title, body=body, tags=tags
            )
            for reply_author, reply_body in replies:
                thread_services.post_reply(actor=people[reply_author], thread=thread, body=reply_body)
            # Demo history: backdate the conversation so lists look lived-in.
            started = now - datetime.timedelta(
                days=3 * (len(threads) - position) + rng.randint(0, 2),
                hours=rng.randint(0, 12),
            )
            moment = started
            for post in Post.objects.filter(thread=thread).order_by("number"):
                Post.objects.filter(pk=post.pk).update(created_at=moment)
                moment += datetime.timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
            last = moment - datetime.timedelta(minutes=1)
            Thread.objects.filter(pk=thread.pk).update(created_at=started, last_activity_at=last)
        latest = community.threads.order_by("-last_activity_at").first()
        if latest:
            Community.objects.filter(pk=community.pk).update(
                last_activity_at=latest.last_activity_at
            )

    def seed_moderation(self, community, people):
        """A working review queue for the moderators of `community` (its owner giulia
        and moderator marco): a post reported by two members, one hidden by reports
        pending review (the community hides at three), a decided item that silenced
        its author, a warned member, and a newcomer's first post held for approval (the
        community approves a new member's first two posts); the audit log has their
        entries."""
        owner, moderator = people["giulia"], people["marco"]
        moderating = {
            row.user_id
            for row in community.memberships.filter(
                role__in=(Membership.Role.OWNER, Membership.Role.MODERATOR)
            )
        }
        members = [
            row.user
            for row in community.memberships.filter(state=Membership.State.ACTIVE)
            .select_related("user")
            .order_by("user__username")
            if row.user_id not in moderating
        ]
        replies = Post.objects.filter(
            thread__community=community, thread__kind=Thread.Kind.DISCUSSION, number__gt=1
        ).exclude(author_id__in=moderating).select_related("thread__community", "author")
        chosen, authors = [], set()
        for post in replies.order_by("pk"):
            if post.author_id not in authors:
                chosen.append(post)
                authors.add(post.author_id)
            if len(chosen) == 3:
                break
        reports.moderation_settings_change(
            actor=owner, community=community, report_threshold=3, first_posts_approval=2
        )
        reasons = [Report.Reason.SPAM, Report.Reason.OFF_TOPIC, Report.Reason.ABUSIVE]
        for post, count in zip(chosen, (2, 3, 1), strict=True):
            reporters = [person for person in members if person.pk != post.author_id]
            for reporter, reason in zip(reporters[:count], reasons, strict=False):
                reports.post_report(actor=reporter, post=post, reason=reason)
        decided = chosen[2].review_items.get(status=ReviewItem.Status.OPEN)
        reports.review_decide(
            actor=moderator,
            item=decided,
            decision=ReviewItem.Decision.SILENCED,
            reason="Toni offensivi verso un altro membro.",
            until=timezone.now() + datetime.timedelta(days=3),
        )
        self.seed_held_post(community, people)
        warned = next(
            person for person in members if person.pk not in authors
        )
        moderation.membership_warn(
            actor=owner,
            membership=community.memberships.select_related("user", "community").get(
                user=warned
            ),
            reason="Per favore resta in tema nelle discussioni.",
        )

    def seed_held_post(self, community, people):
        """A newcomer joins `community` (which approves first posts) and replies: the
        reply waits in the moderators' held posts, seen only by its author and them."""
        members = set(community.memberships.values_list("user_id", flat=True))
        newcomer = next(
            user
            for username, user in sorted(people.items())
            if user.pk not in members and not user.is_staff and username != "silvia"
        )
        memberships.community_join(actor=newcomer, community=community)
        thread = (
            community.threads.filter(kind=Thread.Kind.DISCUSSION)
            .order_by("-last_activity_at", "-pk")
            .first()
        )
        thread_services.post_reply(
            actor=newcomer,
            thread=thread,
            body=(
                "Buongiorno a tutti, sono nuovo qui: nel nostro laboratorio stiamo "
                "provando la stessa soluzione, vi racconto volentieri com'è andata."
            ),
        )

    def seed_rooms(self, community, people, owner):
        """Standing chat rooms with a short, recent conversation."""
        for name, messages in demo.ROOMS.get(community.slug, []):
            room = rooms.room_create(actor=people[owner], community=community, name=name)
            for author, text in messages:
                thread_services.post_reply(actor=people[author], thread=room, body=text)

    def backdate_joins(self, rng):
        """Date communities, memberships, accounts and affiliations before the posts.

        The services stamp everything "now" while the conversations were spread over
        past weeks: a community is founded before its first post, its owner joins
        then, every other member between the founding and their own first post there,
        and people sign up (with their organisation) before they join anything.
        Requests and invitations still waiting stay recent.
        """
        now = timezone.now()
        first_posts = {
            (row["thread__community"], row["author"]): row["first"]
            for row in Post.objects.values("thread__community", "author").annotate(
                first=Min("created_at")
            )
        }
        founded = {}
        for community in Community.objects.all():
            starts = [at for (place, _), at in first_posts.items() if place == community.pk]
            founded[community.pk] = min(starts, default=now) - datetime.timedelta(
                days=rng.randint(7, 21), hours=rng.randint(0, 23)
            )
            Community.objects.filter(pk=community.pk).update(
                created_at=founded[community.pk]
            )
        joined = {}
        for membership in Membership.objects.filter(state=Membership.State.ACTIVE):
            start = founded[membership.community_id]
            if membership.role == Membership.Role.OWNER:
                moment = start
            else:
                end = first_posts.get((membership.community_id, membership.user_id), now)
                moment = start + (end - start) * rng.uniform(0.05, 0.6)
            Membership.objects.filter(pk=membership.pk).update(created_at=moment)
            joined[membership.user_id] = min(moment, joined.get(membership.user_id, now))
        signed_up = {}
        for user_id in User.objects.values_list("pk", flat=True):
            signed_up[user_id] = joined.get(user_id, now) - datetime.timedelta(
                days=rng.randint(1, 30), hours=rng.randint(0, 23)
            )
            User.objects.filter(pk=user_id).update(date_joined=signed_up[user_id])
        for organisation in Organisation.objects.all():
            created = signed_up.get(organisation.created_by_id, now)
            Organisation.objects.filter(pk=organisation.pk).update(created_at=created)
            for affiliation in organisation.affiliations.filter(
                state=Affiliation.State.ACTIVE
            ):
                moment = max(created, signed_up[affiliation.user_id])
                Affiliation.objects.filter(pk=affiliation.pk).update(
                    created_at=moment, decided_at=moment
                )

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.PASSWORD})")
        rows = [
            ("admin", "site staff (also /admin/)"),
            ("giulia", "owner of Manifattura avanzata, admin of Meccanica Brianza"),
            ("marco", "moderator of Manifattura avanzata (reports and a held post waiting)"),
            ("paolo", "owner of Energia and of the private Consorzio Idrogeno Valtellina"),
            ("irene", "owner of the restricted Tavolo trasferimento tecnologico"),
            ("francesca", "moderator of Scienze della vita (English interface)"),
            ("silvia", "member, no organisation yet (affiliation pending)"),
            ("alessandro", "member warned in Manifattura avanzata (notice on /moderation/mine/)"),
            ("luca", "member silenced in Manifattura avanzata for 3 days (reads, cannot post)"),
        ]
        # Apps above community name their own demo roles (`demo_logins` on the AppConfig).
        for config in apps.get_app_configs():
            rows.extend(getattr(config, "demo_logins", ()))
        for username, role in rows:
            self.stdout.write(f"  {demo_email(username):32} {role}")
        self.stdout.write("")
