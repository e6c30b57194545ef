// Markdown composers (every form[data-markdown]: a thread's reply, a new thread, a
// room's message, the edit page, the in-place editor): a formatting toolbar that edits
// the text where the caret is (Ctrl/Cmd+B and +I too), a preview rendered by the
// server's own renderer (community:composer-preview, so it shows what the post will
// be, and refuses what posting refuses), and drafts kept on the server per thread or
// room (form[data-draft-url]): saved a moment after typing stops and when leaving,
// given back by the page on any device, cleared by the server when the message is sent.
// Also: quoting posts in place, Ctrl+Enter sends, no double sends.
// Progressive: without this module the forms post as they are and Quote links open
// the reply page prefilled.

import { onAction } from "./actions.js";
import { gettext } from "./i18n.js";
import { overLimit } from "./length_limits.js";
import { failureMessage, showFormError } from "./notices.js";

const DRAFT_SAVE_AFTER_MS = 1_200; // after typing pauses

const csrfToken = () =>
  document.querySelector("input[name='csrfmiddlewaretoken']")?.value ??
  document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1] ??
  "";

// --- editing the text --------------------------------------------------------------

/** Replace the selection of `field` with `text`, keeping the browser's undo history
 * where it can, then select `text`'s part from `selectFrom` to `selectTo`. */
function replaceSelection(field, text, selectFrom = text.length, selectTo = selectFrom) {
  const start = field.selectionStart;
  field.focus();
  // execCommand keeps Ctrl+Z working; where it is gone, set the text directly.
  const done = document.execCommand?.("insertText", false, text);
  if (!done || field.value.slice(start, start + text.length) !== text) {
    field.setRangeText(text, start, field.selectionEnd, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }
  field.setSelectionRange(start + selectFrom, start + selectTo);
}

/** Wrap the selection in `before`/`after`; with nothing selected, a word to type over. */
function wrap(field, before, after, placeholder) {
  const selected = field.value.slice(field.selectionStart, field.selectionEnd);
  const inner = selected || placeholder;
  replaceSelection(field, before + inner + after, before.length, before.length + inner.length);
}

/** Prefix every line the selection touches with `prefix` (quotes, lists). */
function prefixLines(field, prefix) {
  const value = field.value;
  const start = value.lastIndexOf("\n", field.selectionStart - 1) + 1;
  let end = value.indexOf("\n", field.selectionEnd);
  if (end === -1 || field.selectionEnd === field.selectionStart) end = end === -1 ? value.length : end;
  field.setSelectionRange(start, end);
  const lines = value.slice(start, end).split("\n");
  const text = lines.map((line) => prefix + line).join("\n");
  replaceSelection(field, text, text.length);
}

const MARKS = {
  bold: (field) => wrap(field, "**", "**", gettext("bold text")),
  italic: (field) => wrap(field, "*", "*", gettext("italic text")),
  link(field) {
    const selected = field.value.slice(field.selectionStart, field.selectionEnd);
    const label = selected || gettext("link text");
    const text = `[${label}](https://)`;
    // The address is what is left to type: select it.
    replaceSelection(field, text, label.length + 3, text.length - 1);
  },
  quote: (field) => prefixLines(field, "> "),
  list: (field) => prefixLines(field, "- "),
  code(field) {
    const selected = field.value.slice(field.selectionStart, field.selectionEnd);
    if (selected.includes("\n")) {
      const text = "```\n" + selected + "\n```";
      replaceSelection(field, text, text.length);
    } else {
      wrap(field, "`", "`", gettext("code"));
    }
  },
};

// --- the toolbar and the preview ---------------------------------------------------

function toolbar(form, textarea) {
  const template = document.querySelector("template[data-composer-tools]");
  if (!template || form.querySelector(".composer-tools")) return;
  const parts = template.content.cloneNode(true);
  const bar = parts.querySelector(".composer-tools");
  const panel = parts.querySelector("[data-preview-panel]");
  const previewBody = panel.querySelector("[data-preview-body]");
  const toggle = bar.querySelector("[data-preview-toggle]");
  const buttons = [...bar.querySelectorAll("button")];
  textarea.before(bar);
  textarea.after(panel);

  // One stop in the tab order; the arrow keys move along the toolbar.
  buttons.forEach((button, index) => (button.tabIndex = index === 0 ? 0 : -1));
  bar.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index === -1) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = buttons[(moves[event.key] + buttons.length) % buttons.length];
    buttons.forEach((button) => (button.tabIndex = button === next ? 0 : -1));
    next.focus();
  });

  for (const button of bar.querySelectorAll("[data-mark]")) {
    button.addEventListener("click", () => {
      if (previewing()) showWriting();
      MARKS[button.dataset.mark](textarea);
    });
  }

  textarea.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    const mark = { b: "bold", i: "italic" }[event.key.toLowerCase()];
    if (!mark) return;
    event.preventDefault();
    MARKS[mark](textarea);
  });

  const previewing = () => toggle.getAttribute("aria-pressed") === "true";
  let asked = 0;

  function showWriting() {
    asked += 1;
    toggle.setAttribute("aria-pressed", "false");
    panel.hidden = true;
    textarea.hidden = false;
    textarea.focus();
  }

  async function showPreview() {
    toggle.setAttribute("aria-pressed", "true");
    const ask = ++asked;
    previewBody.replaceChildren(document.createTextNode(gettext("Loading the preview…")));
    panel.hidden = false;
    textarea.hidden = true;
    const body = new FormData();
    body.set("body", textarea.value);
    if (form.dataset.mentionsThread) body.set("thread", form.dataset.mentionsThread);
    else if (form.dataset.mentionsCommunity) body.set("community", form.dataset.mentionsCommunity);
    let html = null;
    let refusal = gettext("The preview could not be loaded: try again in a moment.");
    try {
      const response = await fetch(template.dataset.previewUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      });
      const answer = await response.json().catch(() => null);
      if (response.ok && typeof answer?.html === "string") html = answer.html;
      else if (typeof answer?.error === "string" && answer.error) refusal = answer.error;
      else refusal = await failureMessage(response, refusal);
    } catch {
      refusal = gettext("The preview could not be loaded: check your connection and try again.");
    }
    if (ask !== asked) return;
    if (html === null) {
      const error = document.createElement("p");
      error.className = "field__error";
      error.setAttribute("role", "alert");
      error.textContent = refusal;
      previewBody.replaceChildren(error);
    } else {
      // The server's sanitised rendering: the very HTML the post will have.
      previewBody.innerHTML = html;
    }
  }

  toggle.addEventListener("click", () => (previewing() ? showWriting() : showPreview()));
  // Whatever is sent is the text, previewed or not; coming back, it is the text again.
  form.addEventListener("submit", () => {
    if (previewing()) {
      asked += 1;
      toggle.setAttribute("aria-pressed", "false");
      panel.hidden = true;
      textarea.hidden = false;
    }
  });
}

// --- drafts ------------------------------------------------------------------------

function drafts(form, textarea) {
  const url = form.dataset.draftUrl;
  let saved = textarea.value; // what the server holds, as far as this page knows
  let timer = null;
  let sending = false;

  function payload(body) {
    const data = new FormData();
    data.set("body", body);
    data.set("csrfmiddlewaretoken", csrfToken());
    return data;
  }

  async function save() {
    clearTimeout(timer);
    const body = textarea.value;
    // Past the limit the counter says so; the draft stays as last saved meanwhile.
    if (body === saved || sending || overLimit(textarea)) return;
    try {
      const response = await fetch(url, {
        method: "POST",
        body: payload(body),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      });
      // A refusal (too long, too often) keeps the text here: the next pause tries again.
      if (response.ok) saved = body;
    } catch {
      // Offline: the text stays in the field, saved at the next pause or on leaving.
      timer = setTimeout(save, DRAFT_SAVE_AFTER_MS * 10);
    }
  }

  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(save, DRAFT_SAVE_AFTER_MS);
  });

  // A form posted the usual way: the server stores the message and clears the draft.
  form.addEventListener("submit", (event) => {
    // Once every listener had its say: the live composers send over the socket instead.
    setTimeout(() => {
      if (!event.defaultPrevented) sending = true;
    });
  });
  // Sent over the socket instead: the composers empty the field (an input event),
  // which saves the now empty draft; "sending" only lasts while the form posts.
  window.addEventListener("pageshow", async (event) => {
    sending = false;
    if (!event.persisted) return;
    // Back from the history cache: the draft may have moved on on another device.
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      const answer = response.ok ? await response.json() : null;
      if (typeof answer?.body === "string" && textarea.value === saved) {
        textarea.value = saved = answer.body;
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    } catch {
      // Offline: keep what the page shows, and save it once typing pauses again.
      saved = null;
    }
  });

  function leave() {
    clearTimeout(timer);
    if (sending || textarea.value === saved || overLimit(textarea)) return;
    // Leaving the page: the one request a closing page may still send.
    if (navigator.sendBeacon?.(url, payload(textarea.value))) saved = textarea.value;
  }
  window.addEventListener("pagehide", leave);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) leave();
  });
}

/**
 * Give `form`'s body field the toolbar, the preview and (with `data-draft-url`)
 * drafts; the in-place editor (inline_edit.js) calls this for its own form.
 */
export function enhanceComposer(form) {
  const textarea = form.querySelector("textarea[name='body']");
  if (!textarea || form.hasAttribute("data-composer-ready")) return;
  form.setAttribute("data-composer-ready", "");
  toolbar(form, textarea);
  if (form.dataset.draftUrl) drafts(form, textarea);
}

for (const form of document.querySelectorAll("form[data-markdown]")) enhanceComposer(form);

// --- the reply composer: quotes, Ctrl+Enter, one send ------------------------------

const composer = document.querySelector("form[data-composer]");
const textarea = composer?.querySelector("textarea[name='body']");

function insertAtCursor(field, text) {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? field.value.length;
  const before = field.value.slice(0, start);
  const after = field.value.slice(end);
  const gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
  field.value = before + gap + text + after;
  const caret = (before + gap + text).length;
  field.setSelectionRange(caret, caret);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * The Markdown quoting a post, from its quote endpoint (community:post-quote: the
 * translated credit line, the same permission checks as the reply page). Throws an
 * Error whose message is what to tell the reader.
 */
async function fetchQuote(url) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new Error(gettext("The quote could not be loaded: check your connection and try again."));
  }
  if (!response.ok) {
    throw new Error(await failureMessage(response, gettext("The quote could not be loaded: try again in a moment.")));
  }
  const quote = await response.json().catch(() => null);
  if (typeof quote?.markdown !== "string") {
    throw new Error(gettext("The quote could not be loaded: try again in a moment."));
  }
  return quote.markdown;
}

if (textarea) {
  // Quote links anywhere on the page, those of posts that arrived live included.
  onAction("quote", async (link, event) => {
    const url = link.dataset.quoteUrl;
    if (!url) return; // the reply page opens, prefilled
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") return;
    link.setAttribute("aria-busy", "true");
    try {
      textarea.hidden = false;
      insertAtCursor(textarea, await fetchQuote(url));
      composer.querySelector(":scope > .form-errors")?.remove();
      composer.scrollIntoView({ behavior: "smooth", block: "center" });
      textarea.focus({ preventScroll: true });
    } catch (error) {
      showFormError(composer, error.message);
      composer.scrollIntoView({ behavior: "smooth", block: "center" });
    } finally {
      link.removeAttribute("aria-busy");
    }
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  const buttons = composer.querySelectorAll("button[type='submit']");
  composer.addEventListener("submit", () => {
    // The hidden client_id makes a second send harmless; this just avoids the wait.
    for (const button of buttons) button.disabled = true;
  });
  // Coming back through the history cache must not leave the form disabled.
  window.addEventListener("pageshow", () => {
    for (const button of buttons) button.disabled = false;
  });
}
