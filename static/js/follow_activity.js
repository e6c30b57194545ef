// Lists the server renders that keep themselves current (the Unread view, the room
// page's sidebar): they follow the streams their element names in `data-streams`,
// and news in any of them (an `activity` notice, one of the list's event types, an
// error: access withdrawn) or a reconnect (notices missed meanwhile) makes them read
// themselves again, once for a burst, after a wait.

// Longer than the server's throttle of activity notices (one a second per community):
// a post whose notice was left out is in the list read after this wait.
const REFRESH_DELAY_MS = 1500;

/**
 * Call `onNews` once REFRESH_DELAY_MS after news in the streams followed on
 * `connection`: an `activity` notice, an event whose type is in `events`, an error;
 * and after each reconnect. Returns `follow(element)`, which follows the streams
 * `element` names (call it again for a list read anew: it adds what is new), skipping
 * those the page already follows (one subscription per stream: another script's
 * would be replaced) and keeping to `limit` streams in all; and `schedule()`, for
 * other news the list wants read again on.
 */
export function followActivity(connection, onNews, { events = new Set(), limit = Infinity } = {}) {
  const followed = new Set();
  let timer = null;

  function schedule() {
    if (timer !== null) return; // one read for a burst of notices
    timer = setTimeout(() => {
      timer = null;
      onNews();
    }, REFRESH_DELAY_MS);
  }

  function follow(element) {
    for (const stream of (element.dataset.streams || "").split(" ").filter(Boolean)) {
      if (followed.has(stream) || connection.streams.has(stream) || followed.size >= limit) continue;
      followed.add(stream);
      connection.subscribe(stream, null, {
        onActivity: schedule,
        onEvent(frame) {
          if (events.has(frame.type)) schedule();
        },
        onError: schedule, // access withdrawn: the list no longer shows what it held
      });
    }
  }

  // Notices missed while disconnected: read the list again once reconnected.
  let connections = connection.connected ? 1 : 0;
  connection.addEventListener("state", (event) => {
    if (event.detail !== "connected") return;
    connections += 1;
    if (connections > 1) schedule();
  });

  return { follow, schedule };
}
