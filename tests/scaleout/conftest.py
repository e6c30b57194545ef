"""The browser fixtures of tests/browser, for the smoke test through nginx."""

from tests.browser.conftest import (  # noqa: F401 (fixtures, found by name)
    artifacts,
    browser,
    new_page,
    problems,
    sign_in,
    signed_in_page,
)
