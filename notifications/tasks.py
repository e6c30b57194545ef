"""Background work of notification e-mail (django-tasks): the e-mail of one
notification at its due time, the periodic sweep, and the digests.

On the database backend (production) each e-mailed notification is queued with
`run_after` = its due time and `db_worker` runs it then. The immediate backend cannot
defer (django-tasks refuses `run_after` there: `supports_defer` is False), so nothing
is queued and the periodic `manage.py send_notification_emails` sends what is due;
in production it runs too, for the digests and to catch up on anything missed."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_tasks import task

from . import digests, mail, seen


@task()
def send_notification_email(notification_id):
    """E-mail notification `notification_id` if it is due and still calls for it."""
    return mail.deliver_one(notification_id)


@task()
def send_due_notification_emails():
    """Send every notification e-mail that is due (see `mail.deliver_due`)."""
    return mail.deliver_due()


@task()
def send_notification_digests():
    """Send every digest that is due (see `digests.send_digests`)."""
    return digests.send_digests()


def schedule_emails(created, now):
    """Queue the e-mail of each notification just created (`created`: (id, recipient
    id, kind) triples, made `now`) that may need one, for its due time, when the task
    backend can defer; call inside a transaction, so the queue commits with it. Their
    recipients' next visit will be stamped (`seen.expect_visit`) once it commits."""
    created = [row for row in created if row[2] in mail.IMMEDIATE]
    people = {recipient for _pk, recipient, _kind in created}
    if people:
        transaction.on_commit(lambda: seen.expect_visit(people), robust=True)
    if not send_notification_email.get_backend().supports_defer:
        return 0
    run_after = now + timedelta(minutes=settings.NOTIFICATION_EMAIL_AFTER_MINUTES)
    queued = 0
    for pk, _recipient, _kind in created:
        if pk is None:
            continue  # SQLite before 3.35 returns no ids: the sweep sends these
        send_notification_email.using(run_after=run_after).enqueue(pk)
        queued += 1
    return queued
