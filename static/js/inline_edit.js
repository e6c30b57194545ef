// Editing a post or room message in place: its Edit action (or Up-arrow in an empty
// room composer, room.js) swaps the body for an editor with the composer's toolbar,
// preview, counter and mentions; Save sends it to community:post-edit-inline (the edit
// page's service: the earlier version goes to the history, `post.edited` goes live to
// every open page), Cancel or Escape puts the body back. The list names the address
// (`data-edit-url`, with 0 for the post's id). Without this module, or when the list
// has no address, the Edit link opens the edit page.

import { onAction } from "./actions.js";
import { enhanceComposer } from "./composer.js";
import { gettext } from "./i18n.js";
import { lengthLimits, overLimit } from "./length_limits.js";
import { enhanceMentions } from "./mentions.js";
import { failureMessage, showAlert, showFormError } from "./notices.js";

const csrfToken = () =>
  document.querySelector("input[name='csrfmiddlewaretoken']")?.value ??
  document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ??
  "";

const bodyOf = (item) => item.querySelector(":scope .post__body, :scope .room-message__body");

function addressOf(item) {
  const pattern = item.closest("[data-edit-url]")?.dataset.editUrl;
  return pattern ? pattern.replace("/0/", `/${item.dataset.post}/`) : null;
}

async function answer(response, fallback) {
  const body = await response.json().catch(() => null);
  if (typeof body?.error === "string" && body.error) return { error: body.error };
  if (!response.ok) return { error: await failureMessage(response, fallback) };
  return body ?? { error: fallback };
}

/**
 * Open the in-place editor of `item` (a post's or room message's `<li>`); focus goes
 * back to `returnFocus` (else the item's actions toggle) when it closes. Returns
 * whether an editor is open.
 */
export async function startEdit(item, { returnFocus = null } = {}) {
  const url = addressOf(item);
  const body = bodyOf(item);
  const template = document.querySelector("template[data-inline-editor]");
  if (!url || !body || !template) return false;
  const open = item.querySelector("form[data-inline-edit]");
  if (open) {
    open.querySelector("textarea").focus();
    return true;
  }
  if (item.getAttribute("aria-busy") === "true") return false;
  item.setAttribute("aria-busy", "true");
  let source;
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    });
    source = await answer(response, gettext("The message could not be opened for editing: try again in a moment."));
  } catch {
    source = { error: gettext("The message could not be opened for editing: check your connection and try again.") };
  } finally {
    item.removeAttribute("aria-busy");
  }
  if (typeof source.body !== "string") {
    showAlert(source.error, "inline-edit");
    return false;
  }
  if (!item.isConnected || item.querySelector("form[data-inline-edit]")) return false;

  const form = template.content.firstElementChild.cloneNode(true);
  const textarea = form.querySelector("textarea");
  // Named here, not in the page's template: a page has one field called "body".
  textarea.name = "body";
  const label = form.querySelector("[data-inline-edit-label]");
  textarea.id = `${item.id || `post-${item.dataset.post}`}-edit`;
  label.htmlFor = textarea.id;
  textarea.value = source.body;
  if (source.max_length) textarea.dataset.maxLength = source.max_length;
  form.action = url;
  const thread = item.closest("[data-thread]")?.dataset.thread;
  if (thread) form.dataset.mentionsThread = thread;
  const enterSaves = Boolean(item.closest("[data-room-messages]"));

  body.hidden = true;
  body.after(form);
  item.classList.add("is-editing");
  enhanceComposer(form);
  lengthLimits(form);
  enhanceMentions(form);
  textarea.focus();
  textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  textarea.style.height = `${Math.min(textarea.scrollHeight + 4, window.innerHeight * 0.5)}px`;

  function close() {
    form.remove();
    body.hidden = false;
    item.classList.remove("is-editing");
    const target = returnFocus ?? item.querySelector("[data-menu-toggle]");
    target?.focus({ preventScroll: true });
  }

  form.querySelector("[data-inline-cancel]").addEventListener("click", close);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      close();
    } else if (
      event.key === "Enter" &&
      event.target === textarea &&
      !event.isComposing &&
      ((event.ctrlKey || event.metaKey) || (enterSaves && !event.shiftKey && !event.altKey))
    ) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (overLimit(textarea)) {
      textarea.reportValidity();
      return;
    }
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    const data = new FormData();
    data.set("body", textarea.value);
    let result;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      });
      result = await answer(response, gettext("The change could not be saved: try again in a moment."));
    } catch {
      result = { error: gettext("The change could not be saved: check your connection and try again.") };
    }
    for (const button of buttons) button.disabled = false;
    if (typeof result.html !== "string") {
      showFormError(form, result.error);
      textarea.focus();
      return;
    }
    // The server's sanitised rendering; the live `post.edited` event redraws the
    // whole message (its "edited" mark) for this page and every other one.
    body.innerHTML = result.html;
    close();
  });
  return true;
}

onAction("edit", (link, event) => {
  const item = link.closest("[data-post]");
  if (!item || !addressOf(item) || !bodyOf(item)) return; // the edit page opens
  event.preventDefault();
  startEdit(item);
});
