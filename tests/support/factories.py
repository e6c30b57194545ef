"""factory_boy factories for the domain; verified email addresses by default."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from community.markdown import render_markdown
from community.models import (
    Affiliation,
    Community,
    Membership,
    Organisation,
    Post,
    Thread,
    User,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    display_name = factory.Faker("name", locale="it_IT")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Pass verified=False for an account that has not confirmed its email."""
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.ENTERPRISE
    city = "Milano"
    sector = "Manifattura"


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = Affiliation

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    state = Affiliation.State.ACTIVE
    role = Affiliation.Role.MEMBER


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    description = "A place to talk."
    visibility = Community.Visibility.PUBLIC


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE


class ThreadFactory(DjangoModelFactory):
    class Meta:
        model = Thread

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)
    last_activity_at = factory.LazyFunction(timezone.now)
    post_count = 0


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post
        skip_postgeneration_save = True

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    number = factory.LazyAttribute(lambda o: o.thread.posts.count() + 1)
    body = factory.Sequence(lambda n: f"Post body {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))

    @factory.post_generation
    def counted(self, create, extracted, **kwargs):
        """Keep the thread's post count at its last post number, as the services do
        (they number new posts from it)."""
        if create:
            Thread.objects.filter(pk=self.thread_id, post_count__lt=self.number).update(
                post_count=self.number
            )
            self.thread.post_count = max(self.thread.post_count, self.number)
