// Innovation pages that follow a challenge's or an offer's stream (the challenge page,
// the evaluation board, a proposal, an offer, the interests and an interest): an event
// this person may see makes the page ask for its own fragment again
// (`X-Requested-With: fetch`) and swap it in. The server renders the fragment for the
// person, so what each one may read is never decided here; events this person may not
// see arrive as `unseen` and change nothing.
//
// The fragment's `[data-live-part]`s are swapped one by one. A part the reader is
// working in is kept: one of its fields has focus or differs from what the server
// rendered (a half-written note, a score, a message); it is swapped at the next read
// after it is sent, cleared or reset. The open or closed state of the `<details>`
// sections (matched by id or `data-live-details`) is carried across a swap. Without
// JavaScript the page is the same, read at each visit.

import { fetchFragment } from "./fragments.js";
import { busy, replacePart, serialRefresh } from "./live_parts.js";
import { live, showConnectionState } from "./live.js";

const root = document.querySelector("[data-innovation-live]");
// A burst of events (a decision records several) brings one read.
const REFRESH_DELAY_MS = 300;

function names(parts) {
  return [...parts].map((part) => part.dataset.livePart).join(" ");
}

/** Swap what changed; returns the parts kept because the reader works in them (swap
 * them once they are free). */
function swap(html) {
  const fresh = document.createElement("template");
  fresh.innerHTML = html;
  const current = root.querySelectorAll("[data-live-part]");
  const incoming = fresh.content.querySelectorAll("[data-live-part]");
  if (current.length && names(current) === names(incoming)) {
    const kept = [];
    current.forEach((part, index) => {
      if (!replacePart(part, document.importNode(incoming[index], true))) kept.push(part);
    });
    return kept;
  }
  return replacePart(root, document.importNode(fresh.content, true), { whole: false })
    ? []
    : [root];
}

if (root) {
  const connection = live();
  showConnectionState(connection);
  let timer = null;
  let kept = []; // parts left alone because the reader works in them

  const refresh = serialRefresh(
    async () => {
      kept = swap((await fetchFragment(root.dataset.fragmentUrl)).html);
    },
    (error) => {
      // No longer the reader's to see (404, 403): the reload says so. Offline for a
      // moment: the next event, or the catch-up after reconnecting, reads again.
      if (error.status === 404 || error.status === 403) window.location.reload();
    },
  );

  const schedule = () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, REFRESH_DELAY_MS);
  };

  // A kept part is read again once the reader leaves it, clears it or resets it
  // (a sent form brings a new page anyway).
  const retry = () => {
    if (!kept.length) return;
    setTimeout(() => {
      if (kept.some((part) => !part.isConnected || !busy(part))) schedule();
    }, 0);
  };
  for (const type of ["focusout", "input", "change", "reset"]) {
    root.addEventListener(type, retry);
  }

  for (const stream of (root.dataset.streams || "").split(" ").filter(Boolean)) {
    connection.subscribe(stream, null, {
      onEvent: schedule,
      onResync: schedule,
      // Access ended (withdrawn, refused, no longer the reader's organisation): read
      // the page again, which shows what is left or answers "not found".
      onError: schedule,
    });
  }
  // Events missed while disconnected: read again once connected.
  let connections = connection.connected ? 1 : 0;
  connection.addEventListener("state", (event) => {
    if (event.detail !== "connected") return;
    connections += 1;
    if (connections > 1) schedule();
  });
}
