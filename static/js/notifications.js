// The header's notification bell. It follows the person's own stream (`user:<id>`): a
// `notification.created` event (a new notification, not one counted up in place)
// carries ids only, so the bell asks the server for the unread count. A click opens
// the dropdown of the latest (a fragment the server renders); without JavaScript the
// bell is a link to the page of all.

import { live } from "./live.js";

const bell = document.querySelector("[data-notifications-bell]");
const badge = bell?.querySelector("[data-notifications-unread]");
const dropdown = document.querySelector("[data-notifications-dropdown]");
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

function isOpen() {
  return dropdown && !dropdown.hidden;
}

function close() {
  if (!isOpen()) return;
  dropdown.hidden = true;
  bell.setAttribute("aria-expanded", "false");
}

async function open() {
  const url = new URL(bell.dataset.latestUrl, window.location.href);
  url.searchParams.set("next", window.location.pathname + window.location.search);
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  } catch {
    window.location.assign(bell.href); // offline or failing: the page of all
    return;
  }
  if (!response.ok) {
    window.location.assign(bell.href);
    return;
  }
  const html = await response.text();
  const fragment = new DOMParser().parseFromString(html, "text/html").body;
  dropdown.replaceChildren(...fragment.childNodes);
  dropdown.hidden = false;
  bell.setAttribute("aria-expanded", "true");
  dropdown.querySelector("a, button")?.focus({ preventScroll: true });
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

if (bell && dropdown) {
  bell.setAttribute("aria-haspopup", "true");
  bell.setAttribute("aria-expanded", "false");
  bell.setAttribute("aria-controls", dropdown.id);
  bell.addEventListener("click", (event) => {
    // A modified click (new tab, new window) keeps the link.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (isOpen()) close();
    else open();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      close();
      bell.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !dropdown.contains(event.target) && !bell.contains(event.target)) close();
  });
}
