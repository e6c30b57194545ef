// The posting rules above a thread's or room's composer: slow mode's remaining wait,
// counted down (the send button waits too), changes of slow mode as they happen, the
// reader's own messages held for a moderator's approval, and a silence as it is
// decided or lifted. The server decides everything; this only shows what it said (the
// page's `data-wait`, a refusal's `retry_after`, an ack's `held`, the page's own
// silenced notice).

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
  let silenced = Boolean(document.querySelector("[data-silenced]"));

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
      if (button) button.disabled = silenced;
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
  // A moderator silences the reader here (or lifts it): the person's own stream says
  // so; the page asks the server for its notice (until when in their time zone, why)
  // and shows it above the composer, whose draft stays; the button waits meanwhile.
  const me = document.body.dataset.userId ? Number(document.body.dataset.userId) : null;
  const communityId = Number(box.dataset.community);

  async function followSilence() {
    const response = await fetch(window.location.href, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    }).catch(() => null);
    if (!response?.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const notice = page.querySelector("[data-silenced]");
    if (!notice && !composer) {
      window.location.reload(); // silenced since the page loaded: its composer comes back
      return;
    }
    document.querySelector("[data-silenced]")?.remove();
    silenced = Boolean(notice);
    if (notice) (composer ?? box).before(document.adoptNode(notice));
    if (button) button.disabled = silenced || Date.now() < until;
  }

  if (me && communityId) {
    connection.subscribe(`user:${me}`, null, {
      onEvent: (frame) => {
        if (frame.data?.community !== communityId) return;
        if (frame.type === "member.muted" || frame.type === "member.unmuted") followSilence();
      },
    });
  }

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
