// Workspace dashboard: when the workspace's stream says something happened
// (workspace_live.js), ask for the dashboard's live parts (activity, stage, partners,
// people, milestones, documents) as a fragment and swap them, at most one request at
// a time. Parts the reader is working in are left alone (live_parts.js).

import { fetchFragment } from "./fragments.js";
import { replacePart, serialRefresh } from "./live_parts.js";

const parts = document.querySelectorAll("[data-live-part]");

if (parts.length) {
  const swap = (html) => {
    const fresh = document.createElement("template");
    fresh.innerHTML = html;
    for (const part of document.querySelectorAll("[data-live-part]")) {
      const replacement = fresh.content.querySelector(`[data-live-part="${part.dataset.livePart}"]`);
      if (replacement) replacePart(part, document.importNode(replacement, true));
    }
  };

  const refresh = serialRefresh(
    async () => swap((await fetchFragment(window.location.pathname)).html),
    (error) => {
      // Removed meanwhile (404): the reload shows it. Offline for a moment: the next
      // event (or a reconnect's catch-up) tries again.
      if (error.status === 404) window.location.reload();
      else console.warn("dashboard refresh failed", error);
    },
  );

  document.addEventListener("workspace:event", refresh);
}
