// Workspace dashboard: when the workspace's stream says something happened
// (workspace_live.js), read the dashboard again and swap its live parts (activity,
// partners, people, stage, milestones, documents, the header's badges), at most one
// request at a time. Forms the reader is using are left alone.

const parts = document.querySelectorAll("[data-live-part]");

if (parts.length) {
  let running = false;
  let again = false;

  const swap = (html) => {
    const fresh = new DOMParser().parseFromString(html, "text/html");
    for (const part of document.querySelectorAll("[data-live-part]")) {
      const replacement = fresh.querySelector(`[data-live-part="${part.dataset.livePart}"]`);
      if (!replacement) continue;
      if (part.contains(document.activeElement) && document.activeElement !== document.body) continue;
      part.replaceWith(document.adoptNode(replacement));
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
        const response = await fetch(window.location.pathname, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
        if (!response.ok) {
          // Removed meanwhile (404): the reload shows it.
          if (response.status === 404) window.location.reload();
          return;
        }
        swap(await response.text());
      } while (again);
    } catch (error) {
      // Offline for a moment: the next event (or a reconnect's catch-up) tries again.
      console.warn("dashboard refresh failed", error);
    } finally {
      running = false;
    }
  };

  document.addEventListener("workspace:event", refresh);
}
