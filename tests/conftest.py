"""Shared fixtures: fast hashing, isolated media, a clean cache, and ready-made people."""

import pytest
from _pytest.nodeid import NodeId
from django.core.cache import cache

from tests.support import factories
from workspaces.live import thread_workspaces


def pytest_collection_modifyitems(config, items):
    """Keep each `xdist_group` on one worker under `--dist loadgroup`.

    pytest-xdist 3.8 names a test's group by appending `@<group>` to `item._nodeid`,
    which pytest 9 no longer reads (a node's id is the structured `item._id`), so
    every group was scattered across the workers: a browser module built and served
    its site on both. This names the group where pytest 9 looks; a later xdist that
    does it itself leaves nothing to add."""
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers
        return
    for item in items:
        groups = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    # Which workspace each thread belongs to is remembered per process; ids come back
    # from one test to the next, so each test starts without that memory.
    thread_workspaces.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db):
    return factories.UserFactory()


@pytest.fixture
def other_user(db):
    return factories.UserFactory()


@pytest.fixture
def staff(db):
    return factories.UserFactory(is_staff=True)


@pytest.fixture
def english_default(settings):
    """English as the site's default language (for people and requests naming none)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def english(client):
    """Pages and messages in English, whatever the default language is."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield client
