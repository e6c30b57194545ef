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


# The names `full_names=True` gives people, for tests that read them on the page.
FULL_NAMES = {"anna": "Anna Verdi", "bruno": "Bruno Bianchi"}


def energia_thread_setup(
    *names,
    community="Energia",
    thread=("Accumulo termico", "Chi lo usa?"),
    full_names=False,
    language=None,
):
    """The start of a module's `SETUP` script: verified people `names` (signing in with
    the site's password), the first founding the public `community` that the others
    join, and the first's thread `thread` (a title and a first post; None for no
    thread). With `full_names` people have their FULL_NAMES display name; with
    `language` they read the site in it. The script goes on with each person,
    `people` (in the order of `names`), `community` and, with a thread, `thread` bound."""
    founder, *others = names
    fields = {
        name: {
            **({"display_name": FULL_NAMES[name]} if full_names else {}),
            **({"language": language} if language else {}),
        }
        for name in names
    }
    joins = "".join(
        f"memberships.community_join(actor={name}, community=community)\n"
        for name in others
    )
    script = f"""
from allauth.account.models import EmailAddress
from community.services import communities, memberships, threads
from community.models import User

people = []
for name, fields in {fields!r}.items():
    person = User.objects.create_user(
        name, f"{{name}}@example.org", "%(password)s", **fields
    )
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    people.append(person)
{", ".join(names)} = people
community = communities.community_create(
    actor={founder}, name={community!r}, description="", visibility="public", themes=[]
)
{joins}"""
    if thread:
        title, body = thread
        script += f"""thread = threads.thread_create(
    actor={founder}, community=community, title={title!r}, body={body!r}
)
"""
    return script


def materiali_setup(thread=None, **options):
    """`energia_thread_setup` for the modules that meet in Materiali: Anna Verdi, who
    founded it, and Bruno Bianchi (their full names are on the page), with the thread
    `thread` (a title and a first post) when given; `options` as there."""
    return energia_thread_setup(
        "anna",
        "bruno",
        community="Materiali",
        thread=thread,
        full_names=True,
        **options,
    )
