"""Chromium, driven by Playwright's sync API, against a real daphne serving the site.

A browser test module may describe its site with `SETUP`, a script run in `manage.py
shell` on a fresh production-like site (`%(password)s` is every person's password) that
prints `NAME value` lines, the paths and ids the tests open; and with `SITE_SETTINGS`,
environment overrides. The `site` fixture builds and serves it once per module. Pages
come from `new_page` or `signed_in_page` and record every script error, failed load and
CSP violation in `problems`, which each test checks.
"""

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.support import processes

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = processes.BASE_DIR / "test-artifacts"
PASSWORD = "una-password-robusta-42"


class Site(NamedTuple):
    url: str  # the base URL, without a trailing slash
    paths: dict  # NAME -> value, as the module's SETUP printed them
    outbox: Path  # one file per email sent
    log: Path  # what daphne wrote


@pytest.fixture(scope="session")
def migrated_site(tmp_path_factory):
    """A migrated site with collected static files, built once per test process:
    each module's site starts from a copy of its database and serves its static
    files (migrating and collecting for each module cost 15 s a module)."""
    env = processes.site_env(tmp_path_factory.mktemp("migrated-site"))
    processes.build_site(env, timeout=300)
    return env


@pytest.fixture(scope="module")
def site(request, tmp_path_factory, migrated_site):
    """The module's SETUP on a migrated site with collected static files, served by
    daphne (DEBUG=0, its own SQLite database, emails written to `outbox`)."""
    module = request.module
    root = tmp_path_factory.mktemp(module.__name__.rpartition(".")[2])
    outbox = root / "outbox"
    outbox.mkdir()
    env = processes.site_env(
        root,
        EMAIL_URL=f"file://{outbox}",
        STATIC_ROOT=migrated_site["STATIC_ROOT"],
        **getattr(module, "SITE_SETTINGS", {}),
    )
    script = getattr(module, "SETUP", None)
    output = processes.build_site(
        env, script and script % {"password": PASSWORD}, timeout=120, migrated=migrated_site
    )
    paths = dict(re.findall(r"^([A-Z]+) (\S+)$", output, re.M))
    with processes.Daphne(env, root / "daphne.log") as server:
        yield Site(server.url, paths, outbox, server.log_path)


@pytest.fixture
def browser():
    """The system Chromium; skips without it (fails under CI)."""
    if not CHROMIUM.exists():
        processes.unavailable(f"Debian's chromium is missing at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def problems():
    """What went wrong in the test's pages: script errors, failed loads, CSP."""
    return []


@pytest.fixture
def new_page(browser, problems):
    """new_page(width=1100, height=800): a page in a context of its own, in English,
    with 15 s timeouts, recording script errors and console errors in `problems`."""
    contexts = []

    def open_page(*, width=1100, height=800):
        from playwright.sync_api import expect

        context = browser.new_context(
            locale="en-US", viewport={"width": width, "height": height}
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        expect.set_options(timeout=15_000)  # assertions wait as long as actions
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        # Uncaught exceptions, CSP violations, scripts or styles that fail to load.
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text} ({message.location})")
                if message.type == "error"
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in(site):
    """sign_in(page, email): log `page` in through the site's login form."""

    def log_in(page, email):
        page.goto(f"{site.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    return log_in


@pytest.fixture
def signed_in_page(new_page, sign_in):
    """signed_in_page(email, width=1100, height=800): a new page, logged in."""

    def open_signed_in(email, **size):
        return sign_in(new_page(**size), email)

    return open_signed_in


@pytest.fixture
def artifacts():
    """test-artifacts/, where browser tests leave their screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
