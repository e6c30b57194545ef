"""Tell the assignees of open tasks due within a day: run it hourly (cron, or a
systemd timer beside the prune one); each task and due date is told once."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications import services


class Command(BaseCommand):
    help = (
        "Notify assignees of open tasks due today or tomorrow (once per task and date)."
    )

    def handle(self, *args, **options):
        told = services.due_tasks_notify(today=timezone.localdate())
        self.stdout.write(f"{told} assignee(s) told of tasks due soon.")
