"""DEBUG=0: check --deploy is clean, a secret is required, whitenoise serves static."""

import gzip
import json
import secrets
import urllib.error
import urllib.request

import pytest

from tests.support.processes import BASE_DIR, Daphne, clean_env, manage

PRODUCTION_SHAPE = {
    "ALLOWED_HOSTS": "crocevia.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://crocevia.example.org",
    "DATABASE_URL": "postgres://crocevia:secret@db.internal:5432/crocevia",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "MEDIA_ROOT": "/srv/crocevia/media",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.org:587?tls=1",
    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
}


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({}, id="embedded-defaults"),
        pytest.param(PRODUCTION_SHAPE, id="postgres-redis-behind-proxy"),
    ],
)
def test_deploy_check_reports_nothing_with_debug_off_and_a_real_secret(shape, tmp_path):
    env = clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=tmp_path / "data",
        **shape,
    )

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "?:" not in output, output


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    env = clean_env(DEBUG="0", DATA_DIR=tmp_path / "data")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def _get(url, **headers):
    # The proxy terminates TLS and says so; without it DEBUG=0 redirects to https.
    request = urllib.request.Request(
        url, headers={"X-Forwarded-Proto": "https", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_static_files_are_served_by_whitenoise_with_debug_off(tmp_path):
    static_root = tmp_path / "static"
    env = clean_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=tmp_path / "data",
        STATIC_ROOT=static_root,
    )
    collected = manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/crocevia.css"]
    assert hashed != "css/crocevia.css"
    source = (BASE_DIR / "static/css/crocevia.css").read_bytes()

    with Daphne(env, tmp_path / "daphne.log") as server:
        url = server.url
        status, headers, body = _get(f"{url}/static/{hashed}")
        gz_status, gz_headers, gz_body = _get(
            f"{url}/static/{hashed}", **{"Accept-Encoding": "gzip"}
        )
        missing_status, _, _ = _get(f"{url}/static/css/no-such-file.css")

    assert status == 200
    assert body == source
    assert headers["Content-Type"].startswith("text/css")
    assert "immutable" in headers["Cache-Control"]
    assert gz_status == 200
    assert gz_headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz_body) == source
    assert missing_status == 404
