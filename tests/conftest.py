"""Shared fixtures: fast hashing, isolated media, a clean cache, and ready-made people."""

import pytest
from django.core.cache import cache

from tests.support import factories
from workspaces.live import thread_workspaces


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
