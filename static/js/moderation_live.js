// What moderators' tools change on an open thread or room page, live: the title, the
// lock and pin badges, the composer of a locked thread, and hidden posts, which the
// community's moderators see with their mark.
//
// Live fragments are rendered once and shared by every reader, so a hidden post's
// fragment is always the placeholder. When the server says this viewer may see it
// (`restore` among the frame's viewer actions), the page asks for the marked version
// at `data-marked-url`, an endpoint that checks the same permission: the text never
// travels over the shared stream.

import { viewerActions } from "./live.js";

/** The marked `<li>` of hidden post `id` for this moderator, or null. */
async function markedFragment(urlPattern, id) {
  try {
    const response = await fetch(urlPattern.replace("/0/", `/${id}/`), {
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) return null;
    const { html } = await response.json();
    if (typeof html !== "string") return null;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  } catch {
    return null;
  }
}

/**
 * After a post event was shown in `list`: a hidden post this viewer may restore is
 * replaced by its marked version (`placed(item)` then finishes it like any fragment).
 */
export async function showMarkedPost(list, frame, placed = () => {}) {
  const data = frame.data ?? {};
  const pattern = list.dataset.markedUrl;
  if (!pattern || !data.is_hidden || data.is_deleted) return;
  if (!viewerActions(frame).has("restore")) return;
  const item = await markedFragment(pattern, data.id);
  const current = list.querySelector(`:scope > [data-post="${data.id}"]`);
  if (!item || !current) return;
  current.replaceWith(item);
  placed(item);
}

function setHidden(selector, hidden) {
  for (const element of document.querySelectorAll(selector)) element.hidden = hidden;
}

/**
 * Thread events (`thread.*` on the thread's own stream). Returns true when handled.
 * `composer` is the page's composer (hidden for non-moderators while locked).
 */
export function showThreadEvent(frame, { list, composer }) {
  const data = frame.data ?? {};
  const moderator = list.hasAttribute("data-moderator");
  switch (frame.type) {
    case "thread.renamed": {
      const title = typeof data.title === "string" ? data.title : null;
      if (!title) return true;
      // Events carry the current title only (a replay never hands out an old one):
      // the title being replaced is the one the page shows.
      const elements = document.querySelectorAll("[data-thread-title], .thread-header h1");
      const previous = elements[0]?.textContent.trim();
      for (const element of elements) element.textContent = title;
      if (previous) document.title = document.title.replace(previous, title);
      return true;
    }
    case "thread.pinned":
    case "thread.unpinned":
      setHidden("[data-pinned-badge]", frame.type === "thread.unpinned");
      return true;
    case "thread.locked":
      setHidden("[data-locked-badge]", false);
      if (!moderator && composer) {
        composer.hidden = true;
        setHidden("[data-locked-notice]", false);
      }
      return true;
    case "thread.unlocked":
      setHidden("[data-locked-badge]", true);
      if (!moderator) {
        if (composer) {
          composer.hidden = false;
          setHidden("[data-locked-notice]", true);
        } else {
          // The page was rendered without a composer: the server draws it.
          window.location.reload();
        }
      }
      return true;
    case "thread.moved":
    case "thread.merged":
    case "thread.split":
      // Where it went, and who may still read it there, is the server's answer: a
      // moved or merged thread's address leads to its new place (or to "not found").
      window.location.reload();
      return true;
    default:
      return false;
  }
}
