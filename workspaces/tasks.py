"""Background tasks of the workspaces app (django-tasks: inline by default, run by
`manage.py db_worker` in production)."""

from django_tasks import task

from .services import exports


@task()
def build_workspace_export(export_id, language=None):
    """Build the ZIP of export `export_id` (queued by `exports.export_request`), its
    README in `language` (the requester's page language)."""
    exports.export_build(export_id, language=language)
