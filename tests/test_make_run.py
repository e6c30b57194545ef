"""`make run` serves the site as its users see it: DEBUG=0 over plain http on this
machine, with a secret key kept in a file, and emails printed to the console."""

import http.cookiejar
import os
import re
import shutil
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.support.processes import BASE_DIR, clean_env, wait_until_listening

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None, reason="make is missing"
)


def _make(*args, env, **kwargs):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def test_the_secret_key_is_made_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "var" / "secret-key"
    target = [f"SECRET_KEY_FILE={key_file}", str(key_file)]

    first = _make(*target, env=clean_env())
    key = key_file.read_text()
    second = _make(*target, env=clean_env())

    assert first.returncode == 0 and second.returncode == 0, first.stderr
    assert len(key) >= 50 and key.strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == key  # reused, not regenerated


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run` on a free port with its own data; yields (base URL, output so far)."""
    root = tmp_path_factory.mktemp("make-run")
    log_path = root / "make-run.log"
    env = clean_env(DATA_DIR=root / "data", STATIC_ROOT=root / "static")
    command = [
        "make",
        "--no-print-directory",
        "run",
        "PORT=0",
        f"SECRET_KEY_FILE={root / 'secret-key'}",
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: make, sub-makes, daphne
        )
    try:
        url = wait_until_listening(process, log_path, timeout=180, what="make run")
        yield url, log_path.read_text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _open(opener, url, data=None):
    """(status, headers, body) of a request; error statuses are answers too."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, body, timeout=15) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_a_wrong_address_shows_the_site_page_not_the_debug_page(make_run):
    base_url, output = make_run
    opener = urllib.request.build_opener()

    status, _headers, page = _open(opener, f"{base_url}/nessuna-pagina/")

    assert status == 404
    assert 'class="site-header"' in page
    assert "URLconf" not in page and "DEBUG = True" not in page
    assert "Traceback" not in output()


def test_pages_are_served_over_plain_http_with_hashed_static_files(make_run):
    base_url, _output = make_run
    opener = urllib.request.build_opener(urllib.request.HTTPRedirectHandler())

    status, headers, page = _open(opener, f"{base_url}/")
    stylesheet = re.search(r'href="(/static/css/crocevia\.[0-9a-f]{12}\.css)"', page)

    assert status == 200
    assert "Strict-Transport-Security" not in headers
    assert stylesheet, "the stylesheet is not the hashed, collected one"
    assert _open(opener, base_url + stylesheet.group(1))[0] == 200


def test_emails_are_printed_to_the_console(make_run):
    base_url, output = make_run
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    _status, _headers, form = _open(opener, f"{base_url}/accounts/password/reset/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    # A demo account, seeded on the first start.
    status, _headers, _page = _open(
        opener,
        f"{base_url}/accounts/password/reset/",
        {"csrfmiddlewaretoken": token, "email": "giulia@demo.crocevia.it"},
    )

    assert status == 200  # after the redirect to "email sent"
    deadline = time.monotonic() + 10
    while "To: giulia@demo.crocevia.it" not in output():
        assert time.monotonic() < deadline, output()[-3000:]
        time.sleep(0.2)
    assert "Subject: [Crocevia] " in output()
