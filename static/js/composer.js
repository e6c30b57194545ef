// Reply composer: quote posts in place, send with Ctrl+Enter, no double sends.
// Progressive: without this module Quote links open the reply page prefilled.

import { onAction } from "./actions.js";
import { gettext } from "./i18n.js";
import { failureMessage, showFormError } from "./notices.js";

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
