"""App configuration for notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from community.queries import navigation

        from . import queries, subscriber

        subscriber.register()
        # The header's unread count joins the navigation's one statement.
        navigation.register_figure(
            "notifications_unread", queries.unread_count_expression
        )
