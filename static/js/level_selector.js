// Level selectors (watching, tracking, muted): without scripts each is a small form
// with a Save button; here a choice applies at once, the summary says the new level
// and the menu closes. The server decides who may choose (the form is only shown to
// them) and answers `{"level", "label"}` or `{"error"}`.

import { gettext } from "./i18n.js";
import { clearAlert, showAlert } from "./notices.js";

for (const selector of document.querySelectorAll("[data-level-selector]")) {
  const form = selector.querySelector("form");
  const current = selector.querySelector("[data-level-current]");
  const save = selector.querySelector("[data-level-save]");
  if (!form || !current) continue;
  if (save) save.hidden = true;
  form.addEventListener("change", async (event) => {
    if (event.target.name !== "level") return;
    const previous = current.textContent;
    let answer = null;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      answer = await response.json();
      if (!response.ok) throw new Error(answer.error);
    } catch (error) {
      showAlert(answer?.error || gettext("Your choice could not be saved: try again."), "level");
      current.textContent = previous;
      if (save) save.hidden = false; // the form still works by hand
      return;
    }
    clearAlert("level");
    current.textContent = answer.label;
    selector.querySelector(".muted")?.remove(); // "(as the community)": chosen now
    selector.open = false;
  });
}
