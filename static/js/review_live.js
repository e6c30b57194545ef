// Moderators: the navigation's "Review" count and the review queue page follow the
// queues live. Events carry ids only; the page fetches what the server shows this
// person (the count, or the queue page itself), so every rule stays on the server.

import { live } from "./live.js";

const nav = document.querySelector("[data-review-nav]");
const badge = nav?.querySelector("[data-review-open]");
const queue = document.querySelector("[data-review-queue]");

function showCount(count) {
  if (!badge || !Number.isInteger(count)) return;
  badge.hidden = count === 0;
  badge.firstChild.textContent = String(count);
}

async function fetchCount() {
  const response = await fetch(nav.dataset.reviewLive, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) return null;
  return response.json();
}

async function refreshQueue() {
  const response = await fetch(window.location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelector("[data-review-queue]");
  if (fresh) {
    const nodes = [...fresh.childNodes]; // a copy: adopting empties the live list
    queue.replaceChildren(...nodes.map((node) => document.adoptNode(node)));
  }
  const freshBadge = page.querySelector("[data-review-nav] [data-review-open]");
  if (freshBadge) showCount(Number.parseInt(freshBadge.firstChild.textContent, 10));
}

let timer = null;
function refresh() {
  // Several events in a burst (a report hides a post, a decision notifies) make one fetch.
  clearTimeout(timer);
  timer = setTimeout(async () => {
    try {
      if (queue) {
        await refreshQueue();
      } else {
        const data = await fetchCount();
        if (data) showCount(data.review_open);
      }
    } catch {
      // Offline: the next event or reconnect tries again.
    }
  }, 250);
}

if (nav && badge) {
  fetchCount()
    .then((data) => {
      if (!data) return;
      showCount(data.review_open);
      const connection = live();
      for (const stream of data.streams) {
        connection.subscribe(stream, null, {
          onEvent(frame) {
            if (frame.type.startsWith("review.")) refresh();
          },
          onResync: refresh,
        });
      }
    })
    .catch(() => {});
}
