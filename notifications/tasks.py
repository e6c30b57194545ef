"""Background work of notification e-mail (django-tasks): the e-mail of one
notification at its due time, the periodic sweep, and the digests.

On the database backend (production) each e-mailed notification is queued with
`run_after` = its due time and `db_worker` runs it then. The immediate backend cannot
defer (django-tasks refuses `run_after` there: `supports_defer` is False), so nothing
is queued and the periodic `manage.py send_notification_emails` sends what is due;
in production it runs too, for the digests and to catch up on anything missed."""

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


def schedule_emails(notifications):
    """Queue the e-mail of each of `notifications` (just created) that may need one,
    for its due time, when the task backend can defer; call inside the transaction that
    stores them, so the queue and the rows commit together. Their recipients' next
    visit will be stamped (`seen.expect_visit`), once the rows are committed."""
    people = {n.recipient_id for n in notifications if n.kind in mail.IMMEDIATE}
    if people:
        transaction.on_commit(lambda: seen.expect_visit(people), robust=True)
    if not send_notification_email.get_backend().supports_defer:
        return 0
    queued = 0
    for notification in notifications:
        if notification.kind not in mail.IMMEDIATE:
            continue
        send_notification_email.using(run_after=mail.due_at(notification)).enqueue(
            notification.pk
        )
        queued += 1
    return queued
