"""`manage.py search_rebuild`: empty the search index and build it from the content."""

from django.core.management.base import BaseCommand

from search import indexing


class Command(BaseCommand):
    help = "Rebuild the search index from every thread, post and room message."

    def handle(self, *args, **options):
        count = indexing.rebuild()
        self.stdout.write(f"Search index rebuilt: {count} entries.")
