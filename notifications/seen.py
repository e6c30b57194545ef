"""When a person was last seen on the site, as notification e-mail needs to know it.

Writing it on every request would cost every page a write (and the page query budgets
a statement). It is only needed after something the person may be e-mailed about
arrived, so a notification leaves a mark in the cache (`expect_visit`), and the
person's next request — at most one a minute — stamps `LastSeen` and clears the mark.
Without a mark, a request reads one cache key and writes nothing."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .email_models import LastSeen

# At most one stamp a minute per person.
STAMP_SECONDS = 60


def _expected(person_id):
    return f"notifications:expect-visit:{person_id}"


def _stamped(person_id):
    return f"notifications:seen:{person_id}"


def expect_visit(person_ids):
    """Mark `person_ids` as having news an e-mail may be about, so their next visit is
    stamped (the mark lasts as long as such an e-mail could still be sent)."""
    timeout = (
        settings.NOTIFICATION_EMAIL_AFTER_MINUTES * 60
        + settings.NOTIFICATION_EMAIL_WINDOW_HOURS * 3600
    )
    cache.set_many({_expected(pk): 1 for pk in person_ids}, timeout=timeout)


def mark_seen(person_id, *, now=None):
    """Stamp `person_id` as seen `now` if a notification is waiting for their visit and
    no stamp was written in the last minute. Returns whether it wrote."""
    if not cache.get(_expected(person_id)):
        return False
    if not cache.add(_stamped(person_id), 1, timeout=STAMP_SECONDS):
        return False
    cache.delete(_expected(person_id))
    now = now or timezone.now()
    if not LastSeen.objects.filter(person_id=person_id).update(seen_at=now):
        LastSeen.objects.update_or_create(
            person_id=person_id, defaults={"seen_at": now}
        )
    return True


def seen_at(person_ids):
    """{person id: when last stamped} for those of `person_ids` ever stamped."""
    return dict(
        LastSeen.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "seen_at"
        )
    )


class SeenMiddleware:
    """Stamp a signed-in person as seen when a notification awaits it (`mark_seen`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark_seen(user.pk)
        return self.get_response(request)
