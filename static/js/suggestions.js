// Match suggestions: "Not relevant" removes the card in place (the form still works
// without this module: it posts and the page comes back without the card).

import { gettext } from "./i18n.js";

const list = document.querySelector("[data-suggestion-list]");
const status = document.querySelector("[data-suggestion-status]");

function removeCard(card) {
  card.remove();
  const count = document.querySelector("[data-suggestion-count]");
  if (count) count.textContent = String(Math.max(0, Number(count.textContent) - 1));
  if (list && !list.querySelector("[data-suggestion]")) {
    list.hidden = true;
    document.querySelector("[data-suggestion-empty]")?.removeAttribute("hidden");
  }
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-suggestion-dismiss]")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error || gettext("This did not work: try again."));
    const card = form.closest("[data-suggestion]");
    if (card) removeCard(card);
    if (status) status.textContent = answer.message || "";
  } catch (error) {
    if (button) button.disabled = false;
    if (status) status.textContent = error.message;
    window.alert(error.message);
  }
});
