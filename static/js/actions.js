// One pair of document-level listeners for the page's actions, whenever their markup
// arrived (rendered with the page, inserted live, loaded with older messages):
// - `form[data-confirm]` (or its `button[data-confirm]`) asks its question before it is sent;
// - a click on `[data-action="<kind>"]` runs the handler a module registered for that
//   kind with `onAction` (quote, ...); without one, the link or form works as HTML.
// Which actions are there at all is the server's decision, never this module's.

const handlers = new Map(); // kind -> handler(element, event)

/** Run `handler(element, event)` for plain clicks on `[data-action="<kind>"]`. */
export function onAction(kind, handler) {
  handlers.set(kind, handler);
}

// Capture: a refused confirmation stops the submission before any other listener
// (the live composers' among them) acts on it.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    // The question is the form's, or the button's that sent it (one form, two actions).
    const question = event.submitter?.dataset?.confirm ?? form.dataset.confirm;
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  { capture: true },
);

document.addEventListener("click", (event) => {
  // Modified clicks keep the browser's meaning (a new tab, a download).
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const element = event.target instanceof Element ? event.target.closest("[data-action]") : null;
  const handler = element && handlers.get(element.dataset.action);
  if (handler) handler(element, event);
});
