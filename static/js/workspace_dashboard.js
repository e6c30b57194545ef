// Workspace dashboard: re-fetch the activity feed when the workspace's stream says
// something happened (workspace_live.js), at most one request at a time.

const feed = document.querySelector("[data-activity][data-activity-url]");

if (feed) {
  let running = false;
  let again = false;

  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const response = await fetch(feed.dataset.activityUrl, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
        if (!response.ok) {
          if (response.status === 404) window.location.reload();
          return;
        }
        feed.innerHTML = await response.text();
      } while (again);
    } catch (error) {
      // Offline for a moment: the next event (or a reconnect's catch-up) tries again.
      console.warn("activity refresh failed", error);
    } finally {
      running = false;
    }
  };

  document.addEventListener("workspace:event", refresh);
}
