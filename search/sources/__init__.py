"""The sources search knows, registered by `SearchConfig.ready()`."""

from .. import registry
from . import communities, conversation, documents, offers, organisations, people


def register_all():
    for module in (conversation, communities, people, organisations, documents):
        registry.register(module.SOURCE)
    registry.register(offers.SOURCE)
