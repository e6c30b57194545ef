"""App configuration for search: the site-wide index of what people wrote."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import user_signed_up

        from live.events import register_batch_subscriber

        from . import indexing, sources
        from .sources import people

        sources.register_all()
        register_batch_subscriber(indexing.events_committed)
        user_signed_up.connect(people.person_signed_up, dispatch_uid="search-people")

    def seed_demo(self, stdout):
        """Called by community's `seed_demo` after the apps before it (search is
        installed last): the index is built again from every source, so demo rows
        written without events (the innovation funnel's history) are found too."""
        from . import indexing

        counts = indexing.rebuild()
        stdout.write(f"Search index: {sum(counts.values())} rows.")
