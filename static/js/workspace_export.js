// The export page: while an export is being built, its progress is fetched every
// few seconds and the list redrawn (without JavaScript, a reload shows it).

import { fetchFragment } from "./fragments.js";
import { gettext } from "./i18n.js";
import { clearAlert, showAlert } from "./notices.js";

const POLL_MS = 2000;
const rows = document.getElementById("export-rows");

async function poll() {
  let answer;
  try {
    answer = await fetchFragment(rows.dataset.fragmentUrl);
  } catch (error) {
    showAlert(gettext("The export's progress could not be read. Reload the page to see it."), "export-progress");
    console.warn("export progress failed", error);
    return;
  }
  clearAlert("export-progress");
  rows.innerHTML = answer.html;
  if (answer.pending) {
    setTimeout(poll, POLL_MS);
  } else {
    // Ready or failed: the request button works again.
    document.querySelectorAll("form button[disabled]").forEach((button) => {
      button.disabled = false;
    });
  }
}

if (rows && "pending" in rows.dataset) setTimeout(poll, POLL_MS);
