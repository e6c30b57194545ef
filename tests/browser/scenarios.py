"""Browser steps more than one test takes (the browser suite and the production shape)."""

import re
import secrets


def reply_appears_live_for_both(anna, bruno, url, thread_path):
    """Anna and Bruno open the thread at `url` + `thread_path`, connected; Anna replies
    over the socket and both pages show the reply without a reload. Returns its text."""
    from playwright.sync_api import expect

    for page in (anna, bruno):
        page.goto(url + thread_path)
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )

    reply = f"Noi sì, con sali fusi. {secrets.token_hex(3)}"
    anna.get_by_label(re.compile("your reply", re.I)).fill(reply)
    anna.get_by_role("button", name=re.compile("reply|send|post", re.I)).last.click()

    # Bruno's page shows the reply without a reload; so does Anna's (sent by socket).
    for page in (bruno, anna):
        expect(page.locator(".posts .post__body", has_text=reply)).to_be_visible()
    assert anna.url.endswith(thread_path), "the reply went over the socket, not a POST"
    expect(anna.locator(".post--pending")).to_have_count(0)
    return reply


def energia_thread_setup(*names):
    """The start of a module's `SETUP` script: verified people `names` (signing in with
    the site's password), the first founding the public community Energia that the
    others join, and the first's thread "Accumulo termico". The script goes on with
    each person, `people`, `community` and `thread` bound."""
    founder, *others = names
    joins = "".join(
        f"memberships.community_join(actor={name}, community=community)\n"
        for name in others
    )
    return f"""
from allauth.account.models import EmailAddress
from community.services import communities, memberships, threads
from community.models import User

people = []
for name in {names!r}:
    person = User.objects.create_user(name, f"{{name}}@example.org", "%(password)s")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
{", ".join(names)} = people
community = communities.community_create(
    actor={founder}, name="Energia", description="", visibility="public", themes=[]
)
{joins}thread = threads.thread_create(
    actor={founder}, community=community, title="Accumulo termico", body="Chi lo usa?"
)
"""
