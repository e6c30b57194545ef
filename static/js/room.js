// Topic rooms as a chat (docs/architecture.md, section 4): live messages with grouping
// and day separators, messages pending until the server acknowledges them, typing
// notices, who is here, older messages loaded on scroll, read positions and the unread
// count in the title.
// Without this module the page still works: the form posts, links load older pages.
//
// Grouping and day separators follow the rules written once in
// community/queries/rooms.py (`room_timeline`): the server applies them to the page,
// this module to the messages it inserts, with the parameters the list carries
// (`data-group-seconds`, `data-time-zone`).

import { attachmentIds, attachmentsSent } from "./composer_attachments.js";
import { gettext, interpolate, pageLanguage } from "./i18n.js";
import { overLimit } from "./length_limits.js";
import {
  fragmentHtml,
  keepAllowedActions,
  live,
  refusalMessage,
  showComposerError,
  showConnectionState,
  showRefusedPosts,
  viewerActions,
} from "./live.js";
import { startEdit } from "./inline_edit.js";
import { showMarkedPost, showThreadEvent } from "./moderation_live.js";
import { clearAlert, failureMessage, showAlert } from "./notices.js";
import { settleReactions, showReactions } from "./reactions.js";

const list = document.querySelector("ol[data-room-messages]");

const TYPING_SEND_EVERY_MS = 3_000; // send "typing" at most this often
const TYPING_SHOWN_MS = 5_000; // how long a typing notice stays on screen
const READ_DELAY_MS = 800; // batch read-position updates
const DAY_MS = 86_400_000;

function formatter(locale, options) {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    // An unknown time zone: fall back to the browser's own.
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: undefined });
  }
}

if (list) {
  const connection = live();
  showConnectionState(connection);

  const stream = document.querySelector("[data-room-stream]");
  const threadId = Number(list.dataset.thread);
  const lang = pageLanguage;
  const me = document.body.dataset.userId ? Number(document.body.dataset.userId) : null;
  const isLatest = list.hasAttribute("data-latest");
  const groupSeconds = Number(list.dataset.groupSeconds) || 300;
  const timeZone = list.dataset.timeZone || undefined;
  const baseTitle = document.title;
  let unseen = 0;

  // Day keys (2025-01-31) in the room's time zone, in Latin digits whatever the language.
  const dayParts = formatter(lang, { timeZone, year: "numeric", month: "2-digit", day: "2-digit", numberingSystem: "latn" });
  const timeText = formatter(lang, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dateText = formatter(lang, { timeZone, day: "numeric", month: "long", year: "numeric" });

  const csrfToken = () => document.querySelector("input[name='csrfmiddlewaretoken']")?.value;

  // --- the rules: days, separators, grouping ----------------------------------------

  function dayKey(date) {
    const parts = Object.fromEntries(dayParts.formatToParts(date).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }

  function dayLabel(date) {
    const key = dayKey(date);
    if (key === dayKey(new Date())) return gettext("Today");
    if (key === dayKey(new Date(Date.now() - DAY_MS))) return gettext("Yesterday");
    return dateText.format(date);
  }

  const created = (item) => new Date(item.dataset.created);
  const isMessage = (node) => node?.matches?.(".room-message[data-post]");

  function previousMessage(item) {
    let node = item.previousElementSibling;
    while (node && !isMessage(node)) node = node.previousElementSibling;
    return node;
  }

  function nextMessage(item) {
    let node = item.nextElementSibling;
    while (node && !isMessage(node)) node = node.nextElementSibling;
    return node;
  }

  function separator(date) {
    const item = document.createElement("li");
    item.className = "room-day";
    item.dataset.day = dayKey(date);
    const label = document.createElement("h3");
    label.className = "room-day__label";
    label.textContent = dayLabel(date);
    item.append(label);
    return item;
  }

  /** Give `item` the separator and grouping the rules ask for after its predecessor. */
  function relink(item) {
    if (!isMessage(item)) return;
    const previous = previousMessage(item);
    const key = dayKey(created(item));
    const before = item.previousElementSibling?.classList.contains("room-day")
      ? item.previousElementSibling
      : null;
    const newDay = !previous || dayKey(created(previous)) !== key;
    if (newDay && (!before || before.dataset.day !== key)) {
      before?.remove();
      item.before(separator(created(item)));
    } else if (!newDay && before) {
      before.remove();
    }
    const grouped =
      !newDay &&
      Boolean(item.dataset.authorId) &&
      item.dataset.authorId === previous.dataset.authorId &&
      (created(item) - created(previous)) / 1000 <= groupSeconds;
    item.classList.toggle("room-message--grouped", grouped);
  }

  /** "Today" and "Yesterday" move on at midnight while the page stays open. */
  function relabelDays() {
    const relative = [gettext("Today"), gettext("Yesterday")];
    for (const day of list.querySelectorAll(":scope > .room-day")) {
      const first = nextMessage(day);
      const label = day.querySelector(".room-day__label");
      if (!first || !label) continue;
      const wanted = dayLabel(created(first));
      // Dates the server wrote stay as they are; only relative labels move on.
      if (relative.includes(wanted) || relative.includes(label.textContent)) label.textContent = wanted;
    }
  }

  // --- inserting server-rendered messages -------------------------------------------

  /** Live fragments are rendered once for everyone: show times in the page's zone. */
  function localiseTimes(item) {
    for (const time of item.querySelectorAll(".room-message__time time")) {
      time.textContent = timeText.format(new Date(time.getAttribute("datetime")));
    }
  }

  /** The shared fragment of a live message, with the actions the server gave this
   *  viewer (`frame.viewer.actions`) and its time in the page's zone. */
  function fragment(html, frame) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const item = template.content.firstElementChild;
    keepAllowedActions(item, viewerActions(frame), ".room-message__actions");
    settleReactions(item, frame);
    localiseTimes(item);
    return item;
  }

  const lastNumber = () =>
    Math.max(0, ...[...list.querySelectorAll(":scope > [data-number]")].map((i) => Number(i.dataset.number)));

  const atBottom = () => {
    const last = list.lastElementChild;
    if (!last) return true;
    return last.getBoundingClientRect().bottom <= stream.getBoundingClientRect().bottom + 80;
  };

  // Past the end clamps to the bottom, whichever end the scroll origin is at.
  const scrollToBottom = () => {
    stream.scrollTop = stream.scrollHeight;
  };

  /** Change the list without moving what the reader is looking at. */
  function keepPosition(change) {
    const top = stream.getBoundingClientRect().top;
    const anchor =
      [...list.querySelectorAll(":scope > .room-message")].find(
        (item) => item.getBoundingClientRect().bottom > top,
      ) ?? list.firstElementChild;
    const before = anchor?.getBoundingClientRect().top ?? 0;
    change();
    if (anchor?.isConnected) stream.scrollTop += anchor.getBoundingClientRect().top - before;
  }

  function insertInOrder(item) {
    const number = Number(item.dataset.number);
    const later = [...list.querySelectorAll(":scope > .room-message[data-post]")].find(
      (other) => Number(other.dataset.number) > number,
    );
    const firstPending = list.querySelector(":scope > .room-message--pending");
    let reference = later ?? firstPending;
    if (later && later.previousElementSibling?.classList.contains("room-day")) {
      reference = later.previousElementSibling;
    }
    list.insertBefore(item, reference ?? null);
    relink(item);
    const next = nextMessage(item);
    if (next) relink(next);
  }

  function renderTitle() {
    document.title = unseen ? `(${unseen}) ${baseTitle}` : baseTitle;
  }

  // --- read positions -----------------------------------------------------------------

  const readUrl = list.dataset.readUrl;
  const myBadge = () => document.querySelector(`[data-room-link="${threadId}"] [data-unread]`);
  // Nothing to record while the sidebar shows no unread messages for this room.
  let readSent = myBadge() ? 0 : lastNumber();
  let readTimer = null;
  function readFailed() {
    showAlert(gettext("How far you have read this room could not be saved: it will be tried again."), "room-read");
    // The form of pages without scripts, to record it by hand meanwhile.
    const form = document.querySelector("form[data-mark-read]");
    if (form) form.hidden = false;
  }

  function markRead() {
    if (!readUrl || !isLatest || document.hidden) return;
    const number = lastNumber();
    if (number <= readSent) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(async () => {
      const body = new FormData();
      body.set("number", String(number));
      let response;
      try {
        response = await fetch(readUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken() ?? "", "X-Requested-With": "fetch" },
        });
      } catch {
        readFailed(); // offline: the next message, the next visit or coming back online
        return;
      }
      if (!response.ok) {
        readFailed();
        return;
      }
      readSent = Math.max(readSent, number);
      myBadge()?.remove();
      clearAlert("room-read");
      const form = document.querySelector("form[data-mark-read]");
      if (form) form.hidden = true;
    }, READ_DELAY_MS);
  }
  window.addEventListener("online", markRead);

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    unseen = 0;
    renderTitle();
    relabelDays();
    markRead();
  });
  const markReadForm = document.querySelector("form[data-mark-read]");
  if (markReadForm && readUrl) markReadForm.hidden = true;

  // --- typing and presence ------------------------------------------------------------

  const typingLine = document.querySelector("[data-typing]");
  const typists = new Map(); // user id -> { name, timer }

  function renderTyping() {
    if (!typingLine) return;
    const names = [...typists.values()].map((typist) => typist.name);
    if (names.length === 0) typingLine.textContent = "";
    else if (names.length === 1)
      typingLine.textContent = interpolate(gettext("%(name)s is typing…"), { name: names[0] });
    else if (names.length === 2)
      typingLine.textContent = interpolate(gettext("%(first)s and %(second)s are typing…"), {
        first: names[0],
        second: names[1],
      });
    else typingLine.textContent = gettext("Several people are typing…");
  }

  function stopTyping(userId) {
    const typist = typists.get(userId);
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(userId);
    renderTyping();
  }

  function showTyping(user) {
    if (!user || user.id === me) return;
    clearTimeout(typists.get(user.id)?.timer);
    typists.set(user.id, {
      name: user.name || user.username,
      timer: setTimeout(() => stopTyping(user.id), TYPING_SHOWN_MS),
    });
    renderTyping();
  }

  const presenceBox = document.querySelector("[data-presence]");
  const presenceList = presenceBox?.querySelector("[data-presence-list]");

  function showPresence(users) {
    if (!presenceBox || !presenceList || !Array.isArray(users)) return;
    const people = [...users].sort((a, b) => (a.name || a.username).localeCompare(b.name || b.username));
    presenceList.replaceChildren(
      ...people.map((person) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = presenceList.dataset.profileUrl.replace("__username__", encodeURIComponent(person.username));
        link.textContent = person.name || person.username;
        if (person.id === me) link.setAttribute("aria-current", "true");
        item.append(link);
        return item;
      }),
    );
    presenceBox.hidden = false;
  }

  // --- live events --------------------------------------------------------------------

  function showMessage(frame) {
    const { type } = frame;
    const data = frame.data ?? {};
    const html = fragmentHtml(data, lang);
    if (!html) return;
    const existing = list.querySelector(`:scope > [data-post="${data.id}"]`);
    if (existing) {
      // Edits, deletions and promotions: same place, same grouping.
      const item = fragment(html, frame);
      existing.replaceWith(item);
      relink(item);
      showMarkedPost(list, frame, relink);
      return;
    }
    // Changes to messages this page does not show concern it no more than new
    // messages do on an older page ("Jump to the latest messages" is there).
    if (type !== "post.created" || !isLatest) return;
    const mine = me !== null && data.author?.id === me;
    const follow = mine || atBottom();
    if (data.client_id) list.querySelector(`[data-client-id="${data.client_id}"]`)?.remove();
    list.querySelector("[data-room-empty]")?.remove();
    const item = fragment(html, frame);
    if (follow) {
      insertInOrder(item);
      scrollToBottom();
    } else {
      keepPosition(() => insertInOrder(item));
    }
    showMarkedPost(list, frame, relink);
    if (data.author) stopTyping(data.author.id);
    if (document.hidden && !mine) {
      unseen += 1;
      renderTitle();
    }
    markRead();
  }

  connection.subscribe(list.dataset.stream, Number(list.dataset.seq), {
    onEvent(frame) {
      if (frame.type?.startsWith("post.")) showMessage(frame);
      else if (frame.type?.startsWith("reaction.")) showReactions(list, frame);
      else if (frame.type?.startsWith("thread.")) {
        showThreadEvent(frame, { list, composer: document.querySelector("[data-room-composer]") });
      }
    },
    onResync() {
      window.location.reload();
    },
    onError() {
      // Access was withdrawn: the reload shows what the reader may still see.
      window.location.reload();
    },
    onPresence: showPresence,
    onTyping: showTyping,
  });

  // --- older messages -----------------------------------------------------------------
  // From the room's messages endpoint (community:room-messages): the `<li>`s rendered
  // for this viewer, and the address of the ones before them. The link's own href
  // (the room page before them) stays for opening in a new tab and without scripts.

  let olderLink = document.querySelector("[data-room-older]");
  let olderUrl = olderLink?.dataset.messagesUrl;
  let loading = false;

  function olderError(message) {
    const box = olderLink.parentElement;
    let error = box.querySelector("[data-room-older-error]");
    if (!error) {
      error = document.createElement("span");
      error.className = "field__error";
      error.setAttribute("role", "alert");
      error.dataset.roomOlderError = "";
      box.append(" ", error);
    }
    error.textContent = message;
  }

  async function fetchOlder(url) {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch {
      throw new Error(gettext("Older messages could not be loaded: check your connection and try again."));
    }
    if (!response.ok) {
      throw new Error(await failureMessage(response, gettext("Older messages could not be loaded: try again in a moment.")));
    }
    const older = await response.json().catch(() => null);
    if (typeof older?.html !== "string") {
      throw new Error(gettext("Older messages could not be loaded: try again in a moment."));
    }
    return older;
  }

  async function loadOlder() {
    if (!olderLink || !olderUrl || loading) return;
    loading = true;
    const label = olderLink.textContent;
    olderLink.textContent = gettext("Loading older messages…");
    olderLink.setAttribute("aria-busy", "true");
    try {
      const older = await fetchOlder(olderUrl);
      const template = document.createElement("template");
      template.innerHTML = older.html.trim();
      keepPosition(() => {
        const first = list.firstElementChild;
        list.insertBefore(template.content, first);
        const firstKept = isMessage(first) ? first : first && nextMessage(first);
        if (firstKept) relink(firstKept);
      });
      olderLink.parentElement.querySelector("[data-room-older-error]")?.remove();
      if (older.older) {
        olderUrl = new URL(older.older, window.location.href).href;
        const before = new URL(olderUrl).searchParams.get("before");
        if (before) olderLink.href = `?before=${encodeURIComponent(before)}`;
        olderLink.textContent = label;
        olderLink.removeAttribute("aria-busy");
      } else {
        const start = document.querySelector("[data-room-start]");
        if (start) start.hidden = false;
        olderLink.parentElement.remove();
        olderLink = null;
      }
    } catch (error) {
      olderLink.textContent = label;
      olderLink.removeAttribute("aria-busy");
      olderError(error.message);
    } finally {
      loading = false;
    }
  }

  if (olderLink && olderUrl && stream) {
    olderLink.addEventListener("click", (event) => {
      event.preventDefault();
      loadOlder();
    });
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) loadOlder();
      },
      { root: stream, rootMargin: "200px 0px 0px 0px" },
    );
    observer.observe(olderLink);
  }

  // --- sending ------------------------------------------------------------------------

  const composer = document.querySelector("form[data-room-composer]");
  const textarea = composer?.querySelector("textarea[name='body']");
  if (composer && textarea) {
    composer.querySelector("[data-enter-hint]")?.removeAttribute("hidden");
    let lastTyping = 0;

    // Up-arrow in the empty composer edits my last message here, as in Slack or Zulip.
    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowUp" || textarea.value || me === null) return;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
      const mine = [...list.querySelectorAll(`:scope > .room-message[data-author-id="${me}"]`)]
        .reverse()
        .find((item) => item.querySelector("[data-action='edit']"));
      if (!mine) return;
      event.preventDefault();
      mine.scrollIntoView({ block: "nearest" });
      startEdit(mine, { returnFocus: textarea });
    });

    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
      event.preventDefault();
      composer.requestSubmit();
    });

    textarea.addEventListener("input", (event) => {
      // Text put back or cleared by the page is not someone typing.
      if (!event.isTrusted) return;
      const now = Date.now();
      if (!textarea.value.trim() || !connection.connected || now - lastTyping < TYPING_SEND_EVERY_MS) return;
      lastTyping = now;
      connection.typing?.(threadId);
    });

    // Text over the limit stays in the composer: the counter's validity stops the form
    // before this handler runs, and this check keeps the socket from sending it even so.
    composer.addEventListener("submit", (event) => {
      const body = textarea.value;
      const files = attachmentIds(composer);
      if (!body.trim() && !files.length) {
        event.preventDefault();
        return;
      }
      if (overLimit(textarea)) {
        event.preventDefault();
        textarea.reportValidity();
        return;
      }
      if (!connection.connected) return; // the form posts as usual
      event.preventDefault();
      const clientId = connection.post(threadId, body, files);
      if (!clientId) {
        showComposerError(composer, refusalMessage("too_large"));
        return;
      }
      attachmentsSent(composer);
      const pending = document.createElement("li");
      pending.className = "room-message room-message--pending";
      pending.dataset.clientId = clientId;
      const main = document.createElement("div");
      main.className = "room-message__main";
      const status = document.createElement("p");
      status.className = "room-message__placeholder";
      status.textContent = gettext("Sending…");
      const text = document.createElement("p");
      text.className = "room-message__body room-message__body--plain";
      text.textContent = body.trim();
      main.append(status, text);
      pending.append(document.createElement("div"), main);
      list.querySelector("[data-room-empty]")?.remove();
      list.append(pending);
      scrollToBottom();
      textarea.value = "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      lastTyping = 0;
      composer.querySelector(".form-errors")?.remove();
    });

    showRefusedPosts(connection, { list, composer, textarea });
  }

  if (isLatest && !window.location.hash) scrollToBottom();
  markRead();
}
