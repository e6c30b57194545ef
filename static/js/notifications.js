// The header's notification bell follows the person's own stream (`user:<id>`): a
// `notification.created` event carries ids only, so the bell asks the server for the
// unread count (the figure the page showed, counted the same way).

import { live } from "./live.js";

const bell = document.querySelector("[data-notifications-bell]");
const badge = bell?.querySelector("[data-notifications-unread]");
const me = document.body.dataset.userId;

function showCount(count) {
  if (!Number.isInteger(count)) return;
  badge.hidden = count === 0;
  badge.firstChild.textContent = String(count);
}

const RETRY_MS = 15000;
let timer = null;
function refresh() {
  // A burst of events (a reply mentioning several people) makes one fetch.
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      const response = await fetch(bell.dataset.countUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) showCount((await response.json()).unread);
    } catch {
      timer = setTimeout(refresh, RETRY_MS);
    }
  }, 250);
}

if (bell && badge && me) {
  const stream = `user:${Number(me)}`;
  const connection = live();
  // Other scripts may follow this stream already (posting_rules.js): one subscription
  // per stream, so listen to every event the connection hands on instead.
  if (!connection.streams.has(stream)) connection.subscribe(stream, null, { onResync: refresh });
  connection.addEventListener("stream-event", (event) => {
    const frame = event.detail;
    if (frame.stream === stream && frame.type === "notification.created") refresh();
  });
}
