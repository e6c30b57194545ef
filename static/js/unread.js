// The Unread view, live: it follows the streams of the person's communities and
// workspaces; a new post anywhere in them (an `activity` notice) or a new thread
// makes it read its list again (the page's own fragment, rendered and filtered by the
// server: muted threads, levels and access are never decided here).

import { followActivity } from "./follow_activity.js";
import { fetchFragment } from "./fragments.js";
import { live, showConnectionState } from "./live.js";
import { relativeTimes } from "./times.js";

const LIST_EVENTS = new Set(["thread.created", "thread.moved_in", "thread.moved_out", "thread.merged", "thread.renamed"]);

const section = document.querySelector("[data-unread-list]");

if (section) {
  const rows = section.querySelector("[data-unread-rows]");
  const actions = document.querySelector("[data-unread-actions]");
  const connection = live();
  showConnectionState(connection);

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

  followActivity(connection, refresh, { events: LIST_EVENTS }).follow(section);
}
