"""daphne's requests leave form bodies to Django: Twisted's own parsing would read
every uploaded file into memory, several times over, before Django sees it."""

from unittest import mock

import config.asgi  # noqa: F401  (the ASGI module sets it up, as daphne imports it)


def test_daphne_requests_skip_twisted_form_parsing():
    from daphne.http_protocol import WebRequest

    request = WebRequest(mock.Mock())

    assert request._parsePOSTFormSubmission is False


def test_setting_it_up_twice_wraps_once():
    from daphne.http_protocol import WebRequest

    from config.daphne_bodies import stop_twisted_form_parsing

    before = WebRequest.__init__
    stop_twisted_form_parsing()

    assert WebRequest.__init__ is before
