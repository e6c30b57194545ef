// One WebSocket per tab (docs/architecture.md, section 4): stream subscriptions with
// catch-up from the last seq seen, gap repair, reconnect with exponential backoff and
// jitter, and posts that stay pending until the server acknowledges them (resent after
// a reconnect, a few times at most). A post larger than the server's frame limit is
// never sent: daphne would drop the socket, and resending it after each reconnect
// would do it again. Should one get through all the same (a page stating no limit, a
// proxy with a smaller one), a `too_large` refusal gives it back at once, and a socket
// that closes each time it is sent (1009, or dropped) gives it back after
// MAX_POST_SENDS sends: it is never resent forever. A socket the server closed because
// it stopped reading (4008) reconnects like any other and catches up from `last`.
// When the server cannot reach its database (an `unavailable` error), posts stay
// pending and subscriptions stay wanted: both are sent again after a growing delay, as
// long as it takes (a resent post is stored once).

import { gettext, interpolate } from "./i18n.js";
import { clearAlert, showAlert, showFormError } from "./notices.js";

const MAX_DELAY_MS = 30_000;
// A post whose socket closed this many times before its ack is given back to the page.
const MAX_POST_SENDS = 3;
const encoder = new TextEncoder();

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class LiveConnection extends EventTarget {
  constructor(url = LiveConnection.defaultUrl(), { maxFrameBytes = LiveConnection.pageFrameLimit() } = {}) {
    super();
    this.url = url;
    this.maxFrameBytes = maxFrameBytes;
    this.streams = new Map(); // stream -> { last, handler, onResync, onError }
    this.pending = new Map(); // client_id -> { frame, sends }
    this.attempt = 0;
    this.state = "connecting";
    this.socket = null;
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.setState("offline"));
    this.connect();
  }

  static defaultUrl() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${window.location.host}/ws/`;
  }

  /** LIVE_MAX_FRAME_BYTES, as the page states it on <body>; 0 when it does not. */
  static pageFrameLimit() {
    return Number(document.body?.dataset.liveMaxFrameBytes) || 0;
  }

  get connected() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  connect() {
    clearTimeout(this.timer);
    this.setState(navigator.onLine === false ? "offline" : this.attempt ? "reconnecting" : "connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.setState("connected");
      for (const [stream, sub] of this.streams) {
        sub.confirmed = false;
        clearTimeout(sub.retry);
        this.sendSubscribe(stream, sub.last);
      }
      for (const entry of this.pending.values()) {
        clearTimeout(entry.retry);
        this.sendPost(entry);
      }
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        this.unreadable(error);
        return;
      }
      if (frame === null || typeof frame !== "object") {
        this.unreadable(new TypeError("a frame that is not a JSON object"));
        return;
      }
      try {
        this.handle(frame);
      } catch (error) {
        // The page could not show it: say so, and leave the error in the console.
        this.dispatchEvent(new CustomEvent("unshown", { detail: error }));
        throw error;
      }
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.giveUpUndelivered();
      this.scheduleReconnect();
    });
  }

  /**
   * A frame that is not JSON (a proxy's page, a cut message): it may have been any
   * stream's event, so every stream asks again from its last seq (the server replays
   * what this tab missed, and duplicates are dropped), and the page is told.
   */
  unreadable(error) {
    this.dispatchEvent(new CustomEvent("unreadable", { detail: error }));
    for (const [stream, sub] of this.streams) this.sendSubscribe(stream, sub.last);
  }

  /**
   * The server refused a frame over its size limit without saying which (it could not
   * read it): only a post can be that large, so the largest pending post already sent
   * is given back, as too large, and never sent again.
   */
  refusedForSize(frame) {
    let largest = null;
    for (const [clientId, entry] of this.pending) {
      if (!entry.sends) continue;
      const size = JSON.stringify(entry.frame).length;
      if (!largest || size > largest.size) largest = { clientId, entry, size };
    }
    if (!largest) return;
    clearTimeout(largest.entry.retry);
    this.pending.delete(largest.clientId);
    this.dispatchEvent(
      new CustomEvent("post-error", {
        detail: { ...frame, ref: largest.clientId, body: largest.entry.frame.body },
      }),
    );
  }

  /** Give back the pending posts sent MAX_POST_SENDS times without an ack. */
  giveUpUndelivered() {
    for (const [clientId, entry] of this.pending) {
      if (entry.sends < MAX_POST_SENDS) continue;
      this.pending.delete(clientId);
      this.dispatchEvent(
        new CustomEvent("post-error", {
          detail: { op: "error", code: "undelivered", ref: clientId, body: entry.frame.body },
        }),
      );
    }
  }

  scheduleReconnect() {
    this.attempt += 1;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(this.attempt, 10));
    const delay = base / 2 + Math.random() * (base / 2); // jitter spreads the reconnects
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** A delay that doubles with each `attempt` (from 1 s up to MAX_DELAY_MS), jittered. */
  static retryDelay(attempt) {
    const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(attempt, 10));
    return base / 2 + Math.random() * (base / 2);
  }

  /**
   * The server could not reach its database for the post or stream `frame.ref`
   * names: nothing was stored or followed, so it is asked again later, with backoff.
   * A post stays pending (it is not given back to the page), and its sends start
   * counting again: the socket itself is fine.
   */
  retryLater(frame) {
    const entry = this.pending.get(frame.ref);
    if (entry) {
      entry.sends = 0;
      entry.retries = (entry.retries ?? 0) + 1;
      clearTimeout(entry.retry);
      entry.retry = setTimeout(() => {
        if (this.pending.get(frame.ref) === entry) this.sendPost(entry);
      }, LiveConnection.retryDelay(entry.retries - 1));
    }
    const sub = this.streams.get(frame.ref);
    if (sub) {
      sub.confirmed = false;
      sub.retries = (sub.retries ?? 0) + 1;
      clearTimeout(sub.retry);
      sub.retry = setTimeout(() => {
        if (this.streams.get(frame.ref) === sub && !sub.confirmed) this.sendSubscribe(frame.ref, sub.last);
      }, LiveConnection.retryDelay(sub.retries - 1));
    }
    if (entry || sub) this.dispatchEvent(new CustomEvent("unavailable", { detail: frame }));
  }

  reconnectNow() {
    if (this.connected) return;
    this.attempt = 0;
    this.connect();
  }

  send(frame) {
    if (!this.connected) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  sendPost(entry) {
    if (this.send(entry.frame)) entry.sends += 1;
  }

  /** Whether `frame` fits in one frame the server accepts (UTF-8 bytes of its JSON). */
  fits(frame) {
    return !this.maxFrameBytes || encoder.encode(JSON.stringify(frame)).length <= this.maxFrameBytes;
  }

  sendSubscribe(stream, after) {
    const frame = { op: "subscribe", stream };
    if (Number.isInteger(after)) frame.after = after;
    this.send(frame);
  }

  /** Follow `stream` from `after` (the seq the page was rendered at). */
  subscribe(stream, after, { onEvent, onResync, onError, onPresence, onTyping, onActivity } = {}) {
    this.streams.set(stream, {
      last: Number.isInteger(after) ? after : null,
      confirmed: false, // until the server answers `subscribed` (or `resync`)
      onEvent,
      onResync,
      onError,
      onPresence,
      onTyping,
      onActivity,
    });
    this.sendSubscribe(stream, after);
  }

  handle(frame) {
    const sub = frame.stream ? this.streams.get(frame.stream) : null;
    switch (frame.op) {
      case "event": {
        if (!sub) return;
        if (sub.last !== null && frame.seq <= sub.last) return; // seen already
        if (sub.last !== null && frame.seq > sub.last + 1) {
          // A gap: the server replays everything after the last contiguous seq.
          this.sendSubscribe(frame.stream, sub.last);
          return;
        }
        sub.last = frame.seq;
        // An event this person may not see: only its place in the stream.
        if (frame.type === "unseen") return;
        sub.onEvent?.(frame);
        // For page parts that follow one kind of event (posting_rules.js: slow mode).
        this.dispatchEvent(new CustomEvent("stream-event", { detail: frame }));
        return;
      }
      case "subscribed":
        if (sub) {
          sub.confirmed = true;
          sub.retries = 0;
        }
        if (sub && sub.last === null) sub.last = frame.seq;
        this.dispatchEvent(new CustomEvent("available"));
        return;
      case "resync":
        if (sub) {
          sub.confirmed = true;
          sub.retries = 0;
          sub.last = frame.seq;
          sub.onResync?.(frame);
        }
        return;
      case "presence":
        sub?.onPresence?.(frame.users);
        return;
      case "typing":
        sub?.onTyping?.(frame.user);
        return;
      case "activity": // something new in the stream's threads (no seq, not replayed)
        sub?.onActivity?.(frame);
        return;
      case "ack":
        clearTimeout(this.pending.get(frame.client_id)?.retry);
        this.pending.delete(frame.client_id);
        this.dispatchEvent(new CustomEvent("ack", { detail: frame }));
        this.dispatchEvent(new CustomEvent("available"));
        return;
      case "error":
        if (frame.code === "unavailable") {
          this.retryLater(frame);
        } else if (frame.code === "too_large" && frame.ref === undefined) {
          this.refusedForSize(frame);
        } else if (this.pending.has(frame.ref)) {
          const refused = this.pending.get(frame.ref);
          this.pending.delete(frame.ref);
          this.dispatchEvent(new CustomEvent("post-error", { detail: { ...frame, body: refused.frame.body } }));
        } else if (this.streams.has(frame.ref)) {
          const lost = this.streams.get(frame.ref);
          this.streams.delete(frame.ref);
          lost.onError?.(frame);
        }
        return;
      default:
    }
  }

  /** Tell the room that this person is typing (the server throttles it too); only once
   *  the server has confirmed the room's subscription, which typing needs. */
  typing(thread) {
    if (!this.streams.get(`thread:${thread}`)?.confirmed) return;
    this.send({ op: "typing", thread });
  }

  /**
   * Send a post; it stays pending (and is resent on reconnect) until acknowledged.
   * Returns its client id, or null, without sending, when it is too large for a frame.
   */
  post(thread, body, attachments = []) {
    const frame = { op: "post", thread, body, client_id: uuid4() };
    // The ids of the sender's uploads going with it (composer_attachments.js).
    if (attachments.length) frame.attachments = attachments;
    if (!this.fits(frame)) return null;
    const entry = { frame, sends: 0 };
    this.pending.set(frame.client_id, entry);
    this.sendPost(entry);
    return frame.client_id;
  }
}

let shared = null;

/** The tab's single connection, created on first use. */
export function live() {
  if (!shared) shared = new LiveConnection();
  return shared;
}

/** Show the connection state in the page's status element, and its failures as alerts. */
export function showConnectionState(connection) {
  const labels = {
    connected: gettext("Live"),
    reconnecting: gettext("Reconnecting…"),
    offline: gettext("Offline"),
  };
  connection.addEventListener("unreadable", () => {
    showAlert(gettext("A live update could not be read: catching up with the server."), "live-frame");
  });
  connection.addEventListener("unshown", () => {
    showAlert(gettext("A live update could not be shown: reload the page to see the latest."), "live-shown");
  });
  connection.addEventListener("unavailable", () => {
    showAlert(
      gettext("The server cannot save or show messages just now: what you sent stays pending and goes out by itself."),
      "live-unavailable",
    );
  });
  connection.addEventListener("available", () => clearAlert("live-unavailable"));
  const status = document.querySelector("[data-live-status]");
  if (!status) return;
  const render = () => {
    const state = connection.state === "connecting" ? "reconnecting" : connection.state;
    status.hidden = false;
    status.dataset.state = state;
    status.textContent = labels[state] ?? state;
    if (state === "connected") clearAlert("live-frame");
  };
  connection.addEventListener("state", render);
  render();
}

/**
 * The actions the server lets this socket's viewer take on the post of an event
 * frame: `frame.viewer.actions`, a list of action names ("quote", "edit", "delete",
 * "history", "promote"). None when the frame does not say (the safe default).
 */
export function viewerActions(frame) {
  const actions = frame?.viewer?.actions;
  return new Set(Array.isArray(actions) ? actions.filter((name) => typeof name === "string") : []);
}

/**
 * The `<li>` of a live post in the page's language, as the server rendered it for
 * every viewer (`data.html` holds one per interface language); null when absent.
 */
export function fragmentHtml(data, lang) {
  const html = data?.html;
  if (!html || typeof html !== "object") return null;
  return html[lang] ?? Object.values(html).find((value) => typeof value === "string") ?? null;
}

/**
 * Live fragments are rendered once for every viewer and carry every action, each
 * marked `data-action`. Keep exactly the `allowed` ones (a Set of names, from the
 * server: `viewerActions(frame)`), remove the others (a refused history link becomes
 * plain text), give delete forms the page's CSRF token, and drop the actions bar
 * (`barSelector`) when nothing is left in it. The server checks again on use.
 */
export function keepAllowedActions(item, allowed, barSelector) {
  const token = document.querySelector("input[name='csrfmiddlewaretoken']")?.value;
  for (const action of item.querySelectorAll("[data-action]")) {
    const kind = action.dataset.action;
    if (!allowed.has(kind)) {
      if (kind === "history") action.replaceWith(...action.childNodes);
      else action.remove();
    } else if (kind === "delete" && token) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = token;
      action.prepend(input);
    }
  }
  const bar = item.querySelector(barSelector);
  if (bar && !bar.querySelector("[data-action]")) bar.remove();
}

/** Show why a post from `composer` was not sent, above it (replacing an earlier reason). */
export const showComposerError = showFormError;

/**
 * Why a post was not sent: the server's `message`, or for refusals that happen in
 * the browser, "too_large" (no frame could carry it) and "undelivered" (the socket
 * kept closing), this module's own.
 */
export function refusalMessage(code, message) {
  const local = {
    too_large: gettext("The text is too large for the live connection. Shorten it and try again."),
    undelivered: gettext("The connection dropped each time it was sent. Your text is back in the box: try again in a moment."),
  };
  return interpolate(gettext("Not sent: %(reason)s"), { reason: local[code] ?? message ?? "" });
}

/**
 * When a post sent from `composer` is refused (by the server, or given up after
 * reconnects): drop its pending entry from `list`, give the text back to the composer
 * (before anything typed since) and show why above it.
 */
export function showRefusedPosts(connection, { list, composer, textarea }) {
  connection.addEventListener("post-error", (event) => {
    const frame = event.detail;
    const pending = list.querySelector(`[data-client-id="${frame.ref}"]`);
    if (!pending) return;
    pending.remove();
    const typed = textarea.value;
    const body = frame.body ?? "";
    if (!typed.trim()) textarea.value = body;
    else if (body) textarea.value = `${body}\n\n${typed}`;
    // Counters and validity follow the value (room.js sends typing only for trusted input).
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    showComposerError(composer, refusalMessage(frame.code, frame.message));
  });
}
