"""Safe previews: images and the first pages of PDFs redrawn as PNG on the server.

The original file is never shown inline: a preview is a new PNG drawn from it, small
enough for a page. Decoding untrusted images and PDFs is the riskiest thing the site
does with uploads, so it runs in a child process (`python -m workspaces.previews`)
with limits on its memory and CPU time and a wall-clock timeout: a hostile file can
at worst fail its own preview, never take the server with it. Pixel floods (an image
or page that declares billions of pixels) are refused before decoding.

This module imports no Django at import time: the child process runs it alone.
"""

import io
import os
import subprocess
import sys
from pathlib import Path

# The largest source image decoded, in pixels (Pillow's own bomb limit is higher).
PREVIEW_MAX_SOURCE_PIXELS = 40_000_000
# The preview's size: at most this wide, and at most this tall in all.
PREVIEW_WIDTH = 900
PREVIEW_MAX_HEIGHT = 4000
PDF_PREVIEW_PAGES = 3
# A PDF page is drawn at no more than this many points per side (A0 is 3370 points).
PDF_MAX_PAGE_POINTS = 15_000
# The child process's limits.
CHILD_TIMEOUT_SECONDS = 30
CHILD_CPU_SECONDS = 20
CHILD_MEMORY_BYTES = 1024 * 1024 * 1024

EXIT_REFUSED = 3  # too many pixels, or pages too large: no preview, on purpose
EXIT_UNREADABLE = 4  # not a readable image or PDF


class PreviewRefused(Exception):
    """No preview: the file declares more pixels than a preview may decode."""


class PreviewUnreadable(Exception):
    """No preview: the file could not be decoded (damaged, or not what it claims)."""


# --- drawing (in the child process) ----------------------------------------------------


def _png(image):
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def image_preview(data):
    """A PNG preview of an image (PNG, JPEG or WebP) given as bytes."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data), formats=["PNG", "JPEG", "WEBP"])
        # Only the header has been read: refuse a pixel flood before decoding.
        width, height = image.size
        if width * height > PREVIEW_MAX_SOURCE_PIXELS:
            raise PreviewRefused(f"{width}x{height} pixels")
        if image.format == "JPEG":
            image.draft("RGB", (PREVIEW_WIDTH, PREVIEW_MAX_HEIGHT))
        image = ImageOps.exif_transpose(image)
        image.thumbnail((PREVIEW_WIDTH, PREVIEW_MAX_HEIGHT))
        return _png(image)
    except Image.DecompressionBombError as error:
        raise PreviewRefused(str(error)) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise PreviewUnreadable(str(error)) from error


def pdf_preview(data):
    """A PNG of the first pages of a PDF given as bytes, one below the other."""
    import pypdfium2 as pdfium
    from PIL import Image

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise PreviewUnreadable(str(error)) from error
    try:
        pages = []
        for index in range(min(len(document), PDF_PREVIEW_PAGES)):
            page = document[index]
            width, height = page.get_size()
            if not (
                0 < width <= PDF_MAX_PAGE_POINTS and 0 < height <= PDF_MAX_PAGE_POINTS
            ):
                raise PreviewRefused(f"page {index + 1} is {width}x{height} points")
            scale = min(PREVIEW_WIDTH / width, PREVIEW_MAX_HEIGHT / height)
            pages.append(page.render(scale=scale).to_pil())
            page.close()
        if not pages:
            raise PreviewUnreadable("no pages")
    except pdfium.PdfiumError as error:
        raise PreviewUnreadable(str(error)) from error
    finally:
        document.close()
    gap = 12
    total_height = sum(page.height for page in pages) + gap * (len(pages) - 1)
    sheet = Image.new(
        "RGB", (max(page.width for page in pages), total_height), "#d0d0d0"
    )
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height + gap
    sheet.thumbnail((PREVIEW_WIDTH, PREVIEW_MAX_HEIGHT))
    return _png(sheet)


def preview_draw(kind, data):
    """The PNG preview of `data` of `kind` ("image" or "pdf"), drawn in this process;
    raises PreviewRefused or PreviewUnreadable."""
    if kind == "image":
        return image_preview(data)
    if kind == "pdf":
        return pdf_preview(data)
    raise PreviewUnreadable(f"no preview for {kind}")


# --- the child process -----------------------------------------------------------------


def preview_build(kind, data, *, timeout=CHILD_TIMEOUT_SECONDS):
    """Draw the preview of `data` in a child process with memory and CPU limits and
    return the PNG; raise PreviewRefused (pixel floods), PreviewUnreadable (anything
    the child could not decode, crashed on or took too long for)."""
    project = Path(__file__).resolve().parent.parent
    try:
        result = subprocess.run(
            [sys.executable, "-m", "workspaces.previews", kind],
            input=data,
            capture_output=True,
            timeout=timeout,
            cwd=project,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(project)},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PreviewUnreadable("timed out") from error
    if result.returncode == 0 and result.stdout.startswith(b"\x89PNG"):
        return result.stdout
    reason = result.stderr.decode("utf-8", "replace")[-500:]
    if result.returncode == EXIT_REFUSED:
        raise PreviewRefused(reason)
    raise PreviewUnreadable(reason or f"exit status {result.returncode}")


def _child(kind):
    import resource

    from PIL import Image

    # Pillow's own bomb check, as a second line behind the explicit one.
    Image.MAX_IMAGE_PIXELS = PREVIEW_MAX_SOURCE_PIXELS
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CHILD_CPU_SECONDS, CHILD_CPU_SECONDS))
    data = sys.stdin.buffer.read()
    try:
        png = preview_draw(kind, data)
    except PreviewRefused as error:
        sys.stderr.write(f"refused: {error}")
        return EXIT_REFUSED
    except (PreviewUnreadable, MemoryError) as error:
        sys.stderr.write(f"unreadable: {error!r}")
        return EXIT_UNREADABLE
    sys.stdout.buffer.write(png)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
