// Workspace dashboard: when the workspace's stream says something happened
// (workspace_live.js), ask for the dashboard's live parts (activity, stage, partners,
// people, milestones, documents) as a fragment and swap them, at most one request at
// a time. Forms the reader is using are left alone.

import { fetchFragment } from "./fragments.js";

const parts = document.querySelectorAll("[data-live-part]");

if (parts.length) {
  let running = false;
  let again = false;

  const swap = (html) => {
    const fresh = document.createElement("template");
    fresh.innerHTML = html;
    for (const part of document.querySelectorAll("[data-live-part]")) {
      const replacement = fresh.content.querySelector(`[data-live-part="${part.dataset.livePart}"]`);
      if (!replacement) continue;
      if (part.contains(document.activeElement) && document.activeElement !== document.body) continue;
      part.replaceWith(document.importNode(replacement, true));
    }
  };

  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        swap((await fetchFragment(window.location.pathname)).html);
      } while (again);
    } catch (error) {
      // Removed meanwhile (404): the reload shows it. Offline for a moment: the next
      // event (or a reconnect's catch-up) tries again.
      if (error.status === 404) window.location.reload();
      else console.warn("dashboard refresh failed", error);
    } finally {
      running = false;
    }
  };

  document.addEventListener("workspace:event", refresh);
}
