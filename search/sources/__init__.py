"""The sources search knows, registered by `SearchConfig.ready()`."""

from .. import registry
from . import communities, conversation, documents, funding_calls, organisations, people


def register_all():
    for module in (
        conversation,
        communities,
        people,
        organisations,
        documents,
        funding_calls,
    ):
        registry.register(module.SOURCE)
