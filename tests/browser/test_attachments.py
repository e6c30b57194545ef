"""Attachments in a room, at desktop and phone widths: an image pasted into the
composer uploads with its progress and reaches the other member as a thumbnail
without a reload; a file attached with the button arrives as a download link. A new
thread starts with a pasted image in its first post."""

import base64
import io
import re

import pytest
from PIL import Image

from tests.browser.scenarios import materiali_setup

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group(__name__)]

SETUP = (
    materiali_setup()
    + """
from community.services import rooms
from django.urls import reverse

for label, width in (("WIDE", 1280), ("PHONE", 390)):
    room = rooms.room_create(actor=anna, community=community, name=f"Foto {width}")
    threads.post_reply(actor=anna, thread=room, body="Benvenuti nella stanza!")
    print(f"ROOM{label} {room.get_absolute_url()}")
print(f"NEWTHREAD {reverse('community:thread-create', args=[community.slug])}")
"""
)

PASTE = """([data, name, where = "form[data-room-composer] textarea"]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/png" }));
  const textarea = document.querySelector(where);
  textarea.focus();
  textarea.dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
  );
}"""


def png_base64():
    buffer = io.BytesIO()
    image = Image.new("RGB", (900, 600), "teal")
    for x in range(0, 900, 60):
        for y in range(600):
            image.putpixel((x, y), (255, 200, 0))
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("width", [1280, 390])
def test_an_image_pasted_in_a_room_reaches_the_other_member(
    site, signed_in_page, problems, artifacts, width
):
    from playwright.sync_api import expect

    room_path = site.paths["ROOMWIDE" if width > 600 else "ROOMPHONE"]
    height = 800 if width > 600 else 760
    anna = signed_in_page("anna@example.org", width=width, height=height)
    bruno = signed_in_page("bruno@example.org", width=width, height=height)
    for page in (anna, bruno):
        page.goto(site.url + room_path)
        expect(page.locator("[data-live-status]")).to_have_attribute(
            "data-state", "connected"
        )

    # Anna pastes a screenshot: it uploads (a progress bar, then its thumbnail).
    anna.evaluate(PASTE, [png_base64(), "image.png"])
    waiting = anna.locator(".composer-attachment")
    expect(waiting).to_have_count(1)
    expect(waiting.locator("img.composer-attachment__thumb")).to_be_visible()
    expect(waiting.locator("progress")).to_have_count(0)
    anna.screenshot(path=artifacts / f"attachments-composer-{width}.png")

    composer = anna.get_by_label(re.compile("message to #foto", re.I))
    composer.fill("Il grafico di oggi")
    composer.press("Enter")
    expect(waiting).to_have_count(0)

    # Bruno sees the message with its thumbnail, no reload; it opens full size.
    message = bruno.locator(".room-message", has_text="Il grafico di oggi")
    thumbnail = message.locator("img[data-attachment-image]")
    expect(thumbnail).to_be_visible()
    bruno.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    link = message.locator(".attachment--image a")
    full = bruno.request.get(site.url + link.get_attribute("href"))
    assert full.status == 200 and full.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(full.body())).size == (900, 600)
    # The image never widens the page on a phone.
    box = thumbnail.bounding_box()
    assert box["x"] + box["width"] <= width
    bruno.screenshot(path=artifacts / f"attachments-room-{width}.png")

    # A file attached with the button arrives as a download link.
    anna.locator("[data-attachment-input]").set_input_files(
        files=[{"name": "dati.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}]
    )
    # Uploaded (it offers "Remove" once stored), then sent alone: files make a message.
    ready = anna.locator(".composer-attachment[data-attachment-id]", has_text="dati.csv")
    expect(ready.get_by_role("button", name="Remove dati.csv")).to_be_visible()
    composer.press("Enter")
    link = bruno.locator(".attachment--file a", has_text="dati.csv")
    expect(link).to_be_visible()
    download = bruno.request.get(site.url + link.get_attribute("href"))
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.body() == b"a,b\n1,2\n"

    # A refused file says why, in the composer.
    anna.locator("[data-attachment-input]").set_input_files(
        files=[{"name": "pagina.html", "mimeType": "text/html", "buffer": b"<html></html>"}]
    )
    expect(anna.locator("[data-attachment-error]")).to_contain_text("pagina.html")
    # The refusal's 400 is the one failed load the browser reports.
    refused = [p for p in problems if "status of 400" in p and "/attachments/" in p]
    assert len(refused) == 1
    assert [p for p in problems if p not in refused] == []


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_thread_starts_with_a_pasted_image(
    site, signed_in_page, problems, artifacts, width
):
    from playwright.sync_api import expect

    page = signed_in_page("anna@example.org", width=width, height=800)
    page.goto(site.url + site.paths["NEWTHREAD"])
    title = f"Banco prova a {width} px"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Message").fill("Le foto del prototipo")
    page.evaluate(PASTE, [png_base64(), "", "form[data-composer] textarea[name=body]"])
    waiting = page.locator(".composer-attachment[data-attachment-id]")
    expect(waiting.locator("img.composer-attachment__thumb")).to_be_visible()
    page.screenshot(path=artifacts / f"attachments-new-thread-{width}.png")

    page.get_by_role("button", name="Publish thread").click()

    expect(page.get_by_role("heading", name=title)).to_be_visible()
    thumbnail = page.locator("img[data-attachment-image]")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    box = thumbnail.bounding_box()
    assert box["x"] + box["width"] <= width
    page.screenshot(path=artifacts / f"attachments-new-thread-post-{width}.png")
    assert problems == []
