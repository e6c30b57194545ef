"""Backups that restore: `manage.py backup` runs while Anna posts over the socket.

Restored into a fresh data directory (and, on PostgreSQL, a fresh database), the backup
holds every post acknowledged before the backup began (and before the instant its
manifest names as the database's), its event log agrees with its
posts (one instant, not a mix), the restored site passes `check` and `migrate --check`,
every file a restored row names exists, and every media file comes back with the same
SHA-256. A damaged backup is refused before anything is written, and a restore never
overwrites a database that holds tables. On SQLite and, as a scale-out test, PostgreSQL.
"""

import asyncio
import datetime
import hashlib
import json
import re
import shutil
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.scaleout.client import LiveClient
from tests.scaleout.sites import prepare_site, site_env, stored_posts
from tests.support import processes
from tests.support.processes import Daphne, postgres_database, required

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.xdist_group(__name__)]

WINDOW = 10  # posts the writer keeps in flight
PACE = 0.02  # seconds between two posts: about 50 a second at most
ACKED_FIRST = 20  # posts acknowledged before the backup starts
TIMEOUT = 600  # seconds for the posting and the backup (a loaded machine)

# Files through the services, as people upload them: Anna's avatar and one of its
# drawn sizes, a picture (stored redrawn, with a thumbnail) and a PDF sent with a post.
UPLOADS = """
from django.core.files.uploadedfile import SimpleUploadedFile
from community.models import Thread, User
from community.services import accounts, attachments, threads
from tests.workspaces import hostile_files as files

anna = User.objects.get(username="anna")
accounts.profile_update(
    actor=anna, display_name="Anna", bio="", expertise=[], language="it",
    time_zone="Europe/Rome", avatar=SimpleUploadedFile("anna.png", files.png_bytes((300, 200))),
)
anna.refresh_from_db()
accounts.avatar_sized(anna, 64)
thread = Thread.objects.get(pk=THREAD)
picture = attachments.attachment_upload(
    actor=anna, thread=thread, upload=SimpleUploadedFile("foto.jpg", files.jpeg_bytes((800, 600))),
)
report = attachments.attachment_upload(
    actor=anna, thread=thread, upload=SimpleUploadedFile("relazione.pdf", files.pdf()),
)
threads.post_reply(
    actor=anna, thread=thread, body="Le foto e la relazione",
    attachments=[picture.pk, report.pk],
)
print("UPLOADED")
"""

# What the restored database says about itself: the thread's event log against its
# posts, and every file a row names (any model, any file field) in MEDIA_ROOT.
RESTORED = """
import json
from django.apps import apps
from django.db import models
from community.models import Post
from live.models import Event, StreamCursor

stream = f"thread:{THREAD}"
events = list(Event.objects.filter(stream=stream).order_by("seq").values_list("seq", "type", "payload"))
cursor = StreamCursor.objects.filter(stream=stream).values_list("last_seq", flat=True).first()
missing = []
for model in apps.get_models():
    for field in model._meta.concrete_fields:
        if isinstance(field, models.FileField):
            names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
            missing += [name for name in names if name and not field.storage.exists(name)]
print("RESTORED " + json.dumps({
    "seqs": [seq for seq, _type, _payload in events],
    "cursor": cursor,
    "created": sorted(payload["id"] for _seq, type, payload in events if type == "post.created"),
    "posts": sorted(Post.objects.filter(thread_id=THREAD).values_list("pk", flat=True)),
    "missing": missing,
}))
"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.scaleout)])
def envs(request, tmp_path):
    """The serving site's environment and a fresh one to restore into; on PostgreSQL
    each has its own throwaway database."""
    if request.param == "sqlite":
        yield site_env(tmp_path / "site"), site_env(tmp_path / "restored")
        return
    with ExitStack() as stack:
        with required():
            serving = stack.enter_context(postgres_database())
            fresh = stack.enter_context(postgres_database())
        yield (
            site_env(tmp_path / "site", DATABASE_URL=serving),
            site_env(tmp_path / "restored", DATABASE_URL=fresh),
        )


def media_files(env):
    """{path under MEDIA_ROOT: sha256} of a site's media files."""
    root = Path(env["DATA_DIR"]) / "media"
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def shell(env, script, marker, **values):
    """Run `script` in `manage.py shell` with `values` defined first; returns what it
    printed after `marker`, decoded from JSON when it is."""
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    done = processes.manage("shell", "-c", prelude + script, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    line = re.search(rf"^{marker}(?: (.+))?$", done.stdout, re.M)
    assert line, done.stdout
    return json.loads(line.group(1)) if line.group(1) else None


async def post_until(client, thread, stop, sent):
    """Post at a steady pace, WINDOW in flight at most, until `stop` is set; then wait
    for every post's acknowledgement."""
    number = 0
    while not stop.is_set():
        if client.errors or client.closed.is_set():
            raise AssertionError(f"the writer failed: {client.errors}")
        if len(sent) - len(client.acks) < WINDOW:
            client_id = str(uuid.uuid4())
            sent.append(client_id)
            await client.send(
                op="post", thread=thread, body=f"Messaggio {number}", client_id=client_id
            )
            number += 1
        await asyncio.sleep(PACE)
    await client.until(
        lambda: all(client_id in client.acks for client_id in sent),
        "every post acknowledged",
        timeout=120,
    )


def test_a_backup_taken_while_people_post_restores_every_earlier_post_and_file(
    envs, tmp_path
):
    serving, fresh = envs
    site = prepare_site(serving)
    thread = site["thread"]
    shell(serving, UPLOADS, "UPLOADED", THREAD=thread)
    originals = media_files(serving)
    assert {name.split("/")[0] for name in originals} >= {"avatars", "attachments"}
    assert len(originals) >= 5, originals  # avatar, its 64px drawing, picture, thumb, PDF
    directory = tmp_path / "backups" / "while-posting"

    # Anna posts without pause; once 20 posts are acknowledged the backup starts (a
    # separate process, as `make backup` is) and she goes on posting until it ends.
    daphne = Daphne(serving, tmp_path / "daphne.log").start()

    async def post_during_the_backup():
        writer = await LiveClient.open(daphne.url, site["sessions"]["anna"])
        try:
            await writer.subscribe(f"thread:{thread}")
            stop, sent = asyncio.Event(), []
            posting = asyncio.ensure_future(post_until(writer, thread, stop, sent))
            await writer.until(
                lambda: len(writer.acks) >= ACKED_FIRST or posting.done(),
                f"{ACKED_FIRST} acknowledged posts",
                timeout=120,
            )
            acked_before = dict(writer.acks)
            backup = await asyncio.to_thread(
                processes.manage,
                "backup",
                "--to",
                str(directory),
                env=serving,
                timeout=TIMEOUT,
            )
            acked_during = len(writer.acks) - len(acked_before)
            stop.set()
            await posting
            return acked_before, acked_during, backup, writer
        finally:
            await writer.close()

    try:
        acked_before, acked_during, backup, writer = asyncio.run(
            asyncio.wait_for(post_during_the_backup(), TIMEOUT)
        )
    finally:
        daphne.stop()
    assert backup.returncode == 0, backup.stdout + backup.stderr
    assert len(acked_before) >= ACKED_FIRST
    assert acked_during > 0, "no post was acknowledged while the backup ran"
    assert "Traceback" not in (tmp_path / "daphne.log").read_text()
    manifest = json.loads((directory / "manifest.json").read_text())
    assert {name: entry["sha256"] for name, entry in manifest["media"].items()} == (
        originals
    )
    # The manifest's `snapshot_at` is read just before the database's instant (same
    # machine, same clock): a post whose ack arrived before it committed before it.
    instant = datetime.datetime.fromisoformat(manifest["snapshot_at"]).timestamp()
    acked_by_the_instant = {
        client_id: pk
        for client_id, pk in writer.acks.items()
        if writer.acked_at[client_id] < instant
    }
    assert len(acked_by_the_instant) >= len(acked_before)

    # Restored into a fresh data directory (and database), read by other processes.
    restore = processes.manage("restore", str(directory), env=fresh, timeout=TIMEOUT)
    assert restore.returncode == 0, restore.stdout + restore.stderr
    restored_posts = stored_posts(fresh, thread)
    pk_of = {client_id: pk for pk, client_id in restored_posts if client_id}
    assert {c: pk_of.get(c) for c in acked_before} == acked_before, (
        "a post acknowledged before the backup began is missing"
    )
    assert {c: pk_of.get(c) for c in acked_by_the_instant} == acked_by_the_instant, (
        "a post acknowledged before the database's instant is missing"
    )
    served_posts = stored_posts(serving, thread)
    assert set(restored_posts) <= set(served_posts)
    # The snapshot is of one instant: the thread's log is gap-free, its cursor at the
    # last event, and it announces exactly the posts the thread holds.
    facts = shell(fresh, RESTORED, "RESTORED", THREAD=thread)
    assert facts["seqs"] == list(range(1, facts["cursor"] + 1))
    assert facts["created"] == facts["posts"] == sorted(pk for pk, _ in restored_posts)
    assert facts["missing"] == []
    assert media_files(fresh) == originals

    # `migrate --check` runs the system checks first, then finds nothing to apply.
    done = processes.manage("migrate", "--check", env=fresh, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr

    # A second restore is refused: the database holds tables now.
    again = processes.manage("restore", str(directory), env=fresh, timeout=TIMEOUT)
    assert again.returncode != 0
    assert "--force" in again.stderr
    assert len(stored_posts(fresh, thread)) == len(restored_posts)

    # A backup with one byte changed is refused before anything is written.
    damaged = tmp_path / "backups" / "damaged"
    shutil.copytree(directory, damaged)
    victim = damaged / "media" / sorted(originals)[0]
    content = bytearray(victim.read_bytes())
    content[len(content) // 2] ^= 0xFF
    victim.write_bytes(bytes(content))
    empty = processes.site_env(
        tmp_path / "untouched",
        **({"DATABASE_URL": fresh["DATABASE_URL"]} if "DATABASE_URL" in fresh else {}),
    )
    refused = processes.manage("restore", str(damaged), env=empty, timeout=TIMEOUT)
    assert refused.returncode != 0
    assert f"media/{sorted(originals)[0]} differs" in refused.stderr
    assert media_files(empty) == {}
