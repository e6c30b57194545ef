// Innovation pages that follow a challenge's or an offer's stream (the challenge page,
// the evaluation board, a proposal, an offer, the interests and an interest): an event
// this person may see makes the page ask for its own fragment again
// (`X-Requested-With: fetch`) and swap it in. The server renders the fragment for the
// person, so what each one may read is never decided here; events this person may not
// see arrive as `unseen` and change nothing.
//
// The fragment's `[data-live-part]`s are swapped one by one, and a part whose field
// the reader is typing in is left alone until they leave it. Without JavaScript the
// page is the same, read at each visit.

import { fetchFragment } from "./fragments.js";
import { lengthLimits } from "./length_limits.js";
import { live, showConnectionState } from "./live.js";

const root = document.querySelector("[data-innovation-live]");
// A burst of events (a decision records several) brings one read.
const REFRESH_DELAY_MS = 300;

/** Is the reader typing in `element`? Its content must not be replaced now. */
function busy(element) {
  const active = document.activeElement;
  return Boolean(active && active !== document.body && element.contains(active) && active.matches("input, textarea, select"));
}

function names(parts) {
  return [...parts].map((part) => part.dataset.livePart).join(" ");
}

/** Swap what changed; true when a busy part was kept (swap it once it is free). */
function swap(html) {
  const fresh = document.createElement("template");
  fresh.innerHTML = html;
  const current = root.querySelectorAll("[data-live-part]");
  const incoming = fresh.content.querySelectorAll("[data-live-part]");
  if (current.length && names(current) === names(incoming)) {
    let kept = false;
    current.forEach((part, index) => {
      if (busy(part)) {
        kept = true;
        return;
      }
      const replacement = document.importNode(incoming[index], true);
      part.replaceWith(replacement);
      lengthLimits(replacement);
    });
    return kept;
  }
  if (busy(root)) return true;
  root.replaceChildren(document.importNode(fresh.content, true));
  lengthLimits(root);
  return false;
}

if (root) {
  const connection = live();
  showConnectionState(connection);
  let timer = null;
  let running = false;
  let again = false;
  let waiting = false; // a part was kept while the reader typed in it

  const refresh = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const answer = await fetchFragment(root.dataset.fragmentUrl);
        waiting = swap(answer.html);
      } while (again);
    } catch (error) {
      // No longer the reader's to see (404, 403): the reload says so. Offline for a
      // moment: the next event, or the catch-up after reconnecting, reads again.
      if (error.status === 404 || error.status === 403) window.location.reload();
    } finally {
      running = false;
    }
  };

  const schedule = () => {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, REFRESH_DELAY_MS);
  };

  root.addEventListener("focusout", () => {
    if (waiting) setTimeout(() => busy(root) || schedule(), 0);
  });

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
