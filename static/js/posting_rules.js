// The posting rules above a thread's or room's composer: slow mode's remaining wait,
// counted down (the send button waits too), changes of slow mode as they happen, and
// the reader's own messages held for a moderator's approval. The server decides
// everything; this only shows what it said (the page's `data-wait`, a refusal's
// `retry_after`, an ack's `held`).

import { gettext, interpolate, ngettext } from "./i18n.js";
import { live } from "./live.js";

const box = document.querySelector("[data-slow-mode]");

if (box) {
  const threadId = Number(box.dataset.thread);
  const text = box.querySelector("[data-slow-mode-text]");
  const waitText = box.querySelector("[data-slow-mode-wait]");
  const composer = document.querySelector("form[data-composer], form[data-room-composer]");
  const button = composer?.querySelector("button[type='submit']");
  const exempt = box.hasAttribute("data-exempt");
  let seconds = Number(box.dataset.seconds) || 0;
  let until = 0; // when the wait ends, in ms since the epoch
  let timer = null;

  function describe() {
    box.hidden = seconds === 0;
    text.textContent = seconds
      ? interpolate(
          ngettext(
            "Slow mode: one message every %(count)s second per member.",
            "Slow mode: one message every %(count)s seconds per member.",
            seconds,
          ),
          { count: seconds },
        )
      : "";
  }

  function tick() {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(timer);
      timer = null;
      waitText.textContent = "";
      if (button) button.disabled = false;
      return;
    }
    waitText.textContent = interpolate(
      ngettext("You can write again in %(count)s second.", "You can write again in %(count)s seconds.", left),
      { count: left },
    );
    if (button) button.disabled = true;
  }

  function wait(secondsLeft) {
    if (!(secondsLeft > 0)) return;
    box.hidden = false;
    until = Date.now() + secondsLeft * 1000;
    tick();
    if (!timer) timer = setInterval(tick, 1000);
  }

  describe();
  wait(Number(box.dataset.wait));

  const connection = live();
  connection.addEventListener("stream-event", (event) => {
    const frame = event.detail;
    if (frame.type !== "thread.slow_mode" || frame.data?.id !== threadId) return;
    seconds = Number(frame.data.slow_mode_seconds) || 0;
    if (!seconds) {
      until = 0; // slow mode off: no more waiting
      tick();
    }
    describe();
  });
  connection.addEventListener("post-error", (event) => {
    if (event.detail.retry_after) wait(Number(event.detail.retry_after));
  });
  connection.addEventListener("ack", (event) => {
    const frame = event.detail;
    if (frame.held) {
      const pending = document.querySelector(`[data-client-id="${frame.client_id}"]`);
      if (pending) {
        pending.classList.add("post--held");
        const status = pending.querySelector(".room-message__placeholder, .post__placeholder");
        if (status) status.textContent = `${gettext("Awaiting approval")}: ${frame.message}`;
        // It keeps its client id: once approved, its post's event replaces it.
      }
    } else if (seconds && !exempt) {
      wait(seconds);
    }
  });
}
