// The Unread view, live: it follows the streams of the person's communities and
// workspaces; a new post anywhere in them (an `activity` notice) or a new thread
// makes it read its list again (the page's own fragment, rendered and filtered by the
// server: muted threads, levels and access are never decided here).

import { fetchFragment } from "./fragments.js";
import { live, showConnectionState } from "./live.js";
import { relativeTimes } from "./times.js";

// Longer than the server's throttle of activity notices (one a second per community):
// a post whose notice was left out is in the list read after this wait.
const REFRESH_DELAY_MS = 1500;
const LIST_EVENTS = new Set(["thread.created", "thread.moved_in", "thread.moved_out", "thread.merged", "thread.renamed"]);

const section = document.querySelector("[data-unread-list]");

if (section) {
  const rows = section.querySelector("[data-unread-rows]");
  const actions = document.querySelector("[data-unread-actions]");
  const connection = live();
  showConnectionState(connection);
  let timer = null;

  async function refresh() {
    let answer;
    try {
      answer = await fetchFragment(section.dataset.fragmentUrl);
    } catch {
      return; // the next notice, or a reload, brings the list up to date
    }
    rows.innerHTML = answer.html;
    relativeTimes(rows);
    if (actions) actions.hidden = !answer.count;
    section.dispatchEvent(new CustomEvent("unread:refreshed", { bubbles: true, detail: answer }));
  }

  function schedule() {
    if (timer !== null) return; // one read for a burst of notices
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, REFRESH_DELAY_MS);
  }

  for (const stream of (section.dataset.streams || "").split(" ").filter(Boolean)) {
    connection.subscribe(stream, null, {
      onActivity: schedule,
      onEvent(frame) {
        if (LIST_EVENTS.has(frame.type)) schedule();
      },
      onError() {
        schedule(); // access withdrawn: the list no longer shows what it held
      },
    });
  }
  // Notices missed while disconnected: read the list again once connected.
  let connections = connection.connected ? 1 : 0;
  connection.addEventListener("state", (event) => {
    if (event.detail !== "connected") return;
    connections += 1;
    if (connections > 1) schedule();
  });
}
