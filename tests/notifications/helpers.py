"""Shared helpers for the notification tests."""

from notifications.models import Notification


def kinds_of(person):
    """The kinds of `person`'s notifications, sorted."""
    return sorted(
        Notification.objects.filter(recipient=person).values_list("kind", flat=True)
    )


def shown(person):
    """What `person` sees of their notifications (the page's and dropdown's rows,
    latest first): (kind, count, by whom, read or not), as `queries.visible` makes
    them — a coalesced row's count and latest poster are read from its thread."""
    from notifications import queries

    return [
        (n.kind, n.count, n.actor, n.is_read)
        for n in queries.visible(person, queries.notifications_of(person))
    ]


def sentences(person):
    """The sentences `person` reads for their notifications, latest first."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from notifications import queries

    with translation.override("en"):
        return _sentences(person, render_to_string, queries)


def _sentences(person, render_to_string, queries):
    return [
        " ".join(
            render_to_string(
                "notifications/includes/sentence.html", {"item": n}
            ).split()
        )
        for n in queries.visible(person, queries.notifications_of(person))
    ]
