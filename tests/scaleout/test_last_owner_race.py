"""Two people changing owners or admins at the same moment leave one behind.

Each race runs the real services in two `manage.py shell` processes against one
PostgreSQL database, each inside a permission scope as a request would be. Both first
check the rule and find it allows them (there are two owners, two admins); this test
holds the rows they are about to lock until both processes wait on them, then lets them
go together. Without row locks taken in one order and the rule decided again under
them, both succeed and the community is left without an owner (the organisation
without an admin). Needs PostgreSQL (`make test` starts it); skips without it, fails
without it under CI.
"""

import json
import re
import subprocess
import sys
import time

import pytest

from community.models import Affiliation, Community, Membership, Organisation
from tests.support.processes import BASE_DIR, manage, postgres_database, site_env

pytestmark = [pytest.mark.scaleout, pytest.mark.xdist_group("scaleout")]

TIMEOUT = 60  # seconds, for each wait

SETUP = """
import json
from allauth.account.models import EmailAddress
from community.services import communities, memberships, organisations
from community.models import Affiliation, Membership, Organisation, User

people = {}
for name in ("anna", "bruno", "carla", "dario", "elena", "franca", "gino", "hugo", "ivo"):
    people[name] = User.objects.create_user(name, f"{name}@example.org")
    EmailAddress.objects.create(
        user=people[name], email=f"{name}@example.org", verified=True, primary=True
    )

def community(name, owner, *others):
    created = communities.community_create(
        actor=people[owner], name=name, description="", visibility="public", themes=[]
    )
    for other in others:
        memberships.community_join(actor=people[other], community=created)
    return created

energia = community("Energia", "anna", "bruno")
# A second owner (a transfer would make Anna a moderator).
Membership.objects.filter(user=people["bruno"], community=energia).update(role="owner")
agrifood = community("Agrifood", "dario", "elena")

def organisation(name, *admins):
    created = organisations.organisation_create(actor=people[admins[0]], name=name, kind="enterprise")
    for admin in admins[1:]:
        request = organisations.affiliation_request(actor=people[admin], organisation=created)
        organisations.affiliation_approve(actor=people[admins[0]], affiliation=request)
        organisations.affiliation_set_role(actor=people[admins[0]], affiliation=request, role="admin")
    return created

officine = organisation("Officine", "franca", "gino")
fonderia = organisation("Fonderia", "hugo", "ivo")
print("SETUP " + json.dumps({
    "energia": energia.pk,
    "agrifood": agrifood.pk,
    "officine": officine.pk,
    "fonderia": fonderia.pk,
    "elena": Membership.objects.get(user=people["elena"], community=agrifood).pk,
    "officine_admins": list(
        Affiliation.objects.filter(organisation=officine).values_list("pk", flat=True)
    ),
    "fonderia_admins": list(
        Affiliation.objects.filter(organisation=fonderia).values_list("pk", flat=True)
    ),
}))
"""

# One service call, as a request would make it: inside a permission scope.
CALL = """
from django.core.exceptions import PermissionDenied, ValidationError
from community import permissions
from community.services import communities, memberships, organisations
from community.models import Affiliation, Community, Organisation, User

def person(name):
    return User.objects.get(username=name)

try:
    with permissions.operation():
        {call}
except (PermissionDenied, ValidationError) as error:
    print("RESULT refused " + type(error).__name__)
else:
    print("RESULT done")
"""

LEAVE = "memberships.community_leave(actor=person({who!r}), community=Community.objects.get(slug={slug!r}))"
TRANSFER = (
    "memberships.community_transfer_ownership(actor=person({who!r}), "
    "community=Community.objects.get(slug={slug!r}), username={to!r})"
)
DEMOTE = (
    "organisations.affiliation_set_role(actor=person({who!r}), "
    "affiliation=Affiliation.objects.get(user__username={whom!r}), role='member')"
)
LEAVE_ORGANISATION = (
    "organisations.affiliation_leave(actor=person({who!r}), "
    "organisation=Organisation.objects.get(name={name!r}))"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated PostgreSQL database with the communities and organisations raced on."""
    root = tmp_path_factory.mktemp("last-owner-race")
    with postgres_database() as database_url:
        env = site_env(root, DATABASE_URL=database_url)
        migrated = manage("migrate", "--noinput", env=env, timeout=300)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        setup = manage("shell", "-c", SETUP, env=env)
        assert setup.returncode == 0, setup.stderr
        ids = json.loads(re.search(r"^SETUP (.+)$", setup.stdout, re.M).group(1))
        yield {"env": env, "url": database_url, **ids}


def connect(site, **options):
    import psycopg

    return psycopg.connect(site["url"], **options)


def lock_rows(connection, model, ids):
    """Take the row locks a service is about to ask for, in this open transaction."""
    from psycopg import sql

    connection.execute(
        sql.SQL("SELECT 1 FROM {} WHERE id = ANY(%s) ORDER BY id FOR UPDATE").format(
            sql.Identifier(model._meta.db_table)
        ),
        [list(ids)],
    )


def start(site, call):
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", CALL.format(call=call)],
        cwd=BASE_DIR,
        env=site["env"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_waiting(monitor, processes, count):
    """Until `count` of the database's other sessions wait for a lock (or the
    processes ended without waiting)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        waiting = monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND cardinality(pg_blocking_pids(pid)) > 0"
        ).fetchone()[0]
        ended = sum(process.poll() is not None for process in processes)
        if waiting + ended >= count:
            return
        assert time.monotonic() < deadline, f"only {waiting} session(s) wait for a lock"
        time.sleep(0.05)


def result(process):
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, stderr
    return re.search(r"^RESULT (.+)$", stdout, re.M).group(1)


def race(site, first, second, *, holds):
    """Run `first`, then `second`, each stopped by the locks `holds` takes, then release
    those locks one holder at a time (each a list of (model, ids)) and return both
    results."""
    holders = []
    with connect(site, autocommit=True) as monitor:
        try:
            for rows in holds:
                holder = connect(site)
                holders.append(holder)
                for model, ids in rows:
                    lock_rows(holder, model, ids)
            processes = []
            for call in (first, second):
                processes.append(start(site, call))
                wait_until_waiting(monitor, processes, len(processes))
            for holder in holders:
                holder.commit()
                # Both wait again (on each other or on the next holder) before the
                # next release, so the order they go in is the order they came in.
                wait_until_waiting(monitor, processes, len(processes))
            return [result(process) for process in processes]
        finally:
            for holder in holders:
                holder.close()


def active_count(site, model, **filters):
    where = " AND ".join(f"{field} = %s" for field in filters)
    with connect(site, autocommit=True) as connection:
        return connection.execute(
            f"SELECT count(*) FROM {model._meta.db_table} WHERE state = 'active' AND {where}",
            list(filters.values()),
        ).fetchone()[0]


def test_two_owners_leaving_at_once_leave_one_owner(site):
    results = race(
        site,
        LEAVE.format(who="anna", slug="energia"),
        LEAVE.format(who="bruno", slug="energia"),
        holds=[[(Community, [site["energia"]])]],
    )

    assert active_count(site, Membership, community_id=site["energia"], role="owner") == 1
    assert sorted(results) == ["done", "refused ValidationError"]


def test_a_member_leaving_as_ownership_is_handed_to_them_leaves_an_owner(site):
    # Dario hands Agrifood to Elena while Elena leaves. The transfer goes first.
    results = race(
        site,
        TRANSFER.format(who="dario", slug="agrifood", to="elena"),
        LEAVE.format(who="elena", slug="agrifood"),
        holds=[
            [(Community, [site["agrifood"]])],
            [(Membership, [site["elena"]])],
        ],
    )

    assert active_count(site, Membership, community_id=site["agrifood"], role="owner") == 1
    assert results == ["done", "refused ValidationError"]


@pytest.mark.parametrize(
    ("organisation", "first", "second", "refusal"),
    [
        (
            "officine",
            DEMOTE.format(who="franca", whom="gino"),
            DEMOTE.format(who="gino", whom="franca"),
            # Gino is no longer an admin when his turn comes.
            "PermissionDenied",
        ),
        (
            "fonderia",
            LEAVE_ORGANISATION.format(who="hugo", name="Fonderia"),
            LEAVE_ORGANISATION.format(who="ivo", name="Fonderia"),
            "ValidationError",
        ),
    ],
    ids=["demoting-each-other", "leaving"],
)
def test_two_admins_at_once_leave_one_admin(site, organisation, first, second, refusal):
    results = race(
        site,
        first,
        second,
        holds=[
            [
                (Organisation, [site[organisation]]),
                (Affiliation, site[f"{organisation}_admins"]),
            ]
        ],
    )

    assert active_count(site, Affiliation, organisation_id=site[organisation], role="admin") == 1
    assert sorted(results) == ["done", f"refused {refusal}"]
