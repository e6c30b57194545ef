"""The sources search knows, registered by `SearchConfig.ready()`."""

from .. import registry
from . import (
    challenges,
    communities,
    conversation,
    documents,
    funding_calls,
    offers,
    organisations,
    people,
)


def register_all():
    for module in (
        conversation,
        communities,
        people,
        organisations,
        documents,
        challenges,
        offers,
        funding_calls,
    ):
        registry.register(module.SOURCE)
