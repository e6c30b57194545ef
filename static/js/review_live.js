// Moderators: the navigation's "Review" count and the review queue page follow the
// queues live. Events carry ids only; the page fetches what the server shows this
// person (the count, or the queue's list as a fragment), so every rule stays on the
// server.

import { fetchFragment } from "./fragments.js";
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
  // The queue's list alone, as the server renders it for this person (JSON).
  const answer = await fetchFragment(window.location.pathname + window.location.search);
  const fresh = document.createElement("template");
  fresh.innerHTML = answer.html;
  queue.replaceChildren(fresh.content);
  showCount(answer.pending);
}

const RETRY_MS = 15000;
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
        if (data) showCount(data.pending);
      }
    } catch {
      // Offline or the server busy: try once more a little later.
      timer = setTimeout(refresh, RETRY_MS);
    }
  }, 250);
}

function follow() {
  fetchCount()
    .then((data) => {
      if (!data) return;
      showCount(data.pending);
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
    .catch(() => {
      // Offline at load: the count stays as the page showed it until this works.
      setTimeout(follow, RETRY_MS);
    });
}

if (nav && badge) follow();
