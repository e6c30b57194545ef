// Read positions kept current while a page is open: the thread page tells the server
// how far the reader has read when new posts arrive on a visible page (the POST the
// room page's script sends too, `services.reading.read_mark` on the server), batched,
// never backwards, retried on the next post, visit or coming back online.

import { gettext } from "./i18n.js";
import { clearAlert, showAlert } from "./notices.js";

const READ_DELAY_MS = 800; // batch read-position updates

const csrfToken = () => document.querySelector("input[name='csrfmiddlewaretoken']")?.value ?? "";

/** A marker for `url`: `mark(number)` records that posts up to `number` were read,
 *  when the page is visible; `sent` is the position the page was rendered with. */
export function readMarker(url, sent = 0) {
  let timer = null;
  let wanted = sent;
  async function send() {
    const number = wanted;
    if (number <= sent || document.hidden) return;
    const body = new FormData();
    body.set("number", String(number));
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      });
    } catch {
      response = null; // offline: tried again with the next post or when back online
    }
    if (!response?.ok) {
      showAlert(gettext("How far you have read could not be saved: it will be tried again."), "thread-read");
      return;
    }
    sent = Math.max(sent, number);
    clearAlert("thread-read");
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(send, READ_DELAY_MS);
  }
  window.addEventListener("online", schedule);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) schedule();
  });
  return {
    mark(number) {
      if (!Number.isInteger(number)) return;
      wanted = Math.max(wanted, number);
      if (wanted > sent && !document.hidden) schedule();
    },
  };
}
