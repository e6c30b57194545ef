"""`manage.py search_rebuild`: empty the search index and build it from the content."""

from django.core.management.base import BaseCommand

from search import indexing


class Command(BaseCommand):
    help = (
        "Rebuild the search index from every thread, post, room message, community, "
        "person, organisation and workspace document."
    )

    def handle(self, *args, **options):
        counts = indexing.rebuild()
        details = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(
            f"Search index rebuilt: {sum(counts.values())} entries ({details})."
        )
