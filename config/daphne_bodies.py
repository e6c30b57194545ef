"""daphne's HTTP requests leave form bodies to Django.

daphne's requests are Twisted `Request`s, which parse every POST form body into
`request.args` before daphne hands the body to the application: for
`multipart/form-data` Twisted reads the whole body into memory and splits it with
the `email` package, several copies of every uploaded file (a 25 MB document cost
the server about 300 MB at its peak, and the parsed copy stayed referenced after
the response). daphne never reads `args`; Django parses the body itself, streaming
(the document upload handler writes 64 KiB chunks to disk). Twisted offers the
switch, `parsePOSTFormSubmission`, to the code that builds its requests; daphne
does not pass it, so it is set here on each request daphne makes.
"""

from functools import wraps


def stop_twisted_form_parsing():
    """Make daphne's requests skip Twisted's form parsing (idempotent)."""
    from daphne.http_protocol import WebRequest

    if getattr(WebRequest, "_crocevia_no_form_parsing", False):
        return
    original = WebRequest.__init__

    @wraps(original)
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._crocevia_no_form_parsing = True
