// Reply composer: quote posts in place, send with Ctrl+Enter, no double sends.
// Progressive: without this module Quote links open the reply page prefilled.

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

async function fetchQuote(url) {
  // The reply page renders the quote server-side (translated credit, permission checks).
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) throw new Error(`quote request failed: ${response.status}`);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const source = page.querySelector("form[data-composer] textarea[name='body']");
  if (!source) throw new Error("no composer in the reply page");
  return source.value;
}

if (textarea) {
  for (const link of document.querySelectorAll("a[data-quote]")) {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      link.setAttribute("aria-busy", "true");
      try {
        insertAtCursor(textarea, await fetchQuote(link.href));
        composer.scrollIntoView({ behavior: "smooth", block: "center" });
        textarea.focus({ preventScroll: true });
      } catch {
        window.location.assign(link.href);
      } finally {
        link.removeAttribute("aria-busy");
      }
    });
  }

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
