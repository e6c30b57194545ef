// One WebSocket per tab (DESIGN §4): stream subscriptions with catch-up from the last
// seq seen, gap repair, reconnect with exponential backoff and jitter, and posts that
// stay pending until the server acknowledges them (resent after a reconnect).

const MAX_DELAY_MS = 30_000;

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class LiveConnection extends EventTarget {
  constructor(url = LiveConnection.defaultUrl()) {
    super();
    this.url = url;
    this.streams = new Map(); // stream -> { last, handler, onResync, onError }
    this.pending = new Map(); // client_id -> post frame
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
      for (const [stream, sub] of this.streams) this.sendSubscribe(stream, sub.last);
      for (const frame of this.pending.values()) this.send(frame);
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this.handle(frame);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    this.attempt += 1;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    const base = Math.min(MAX_DELAY_MS, 500 * 2 ** Math.min(this.attempt, 10));
    const delay = base / 2 + Math.random() * (base / 2); // jitter spreads the reconnects
    this.timer = setTimeout(() => this.connect(), delay);
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

  sendSubscribe(stream, after) {
    const frame = { op: "subscribe", stream };
    if (Number.isInteger(after)) frame.after = after;
    this.send(frame);
  }

  /** Follow `stream` from `after` (the seq the page was rendered at). */
  subscribe(stream, after, { onEvent, onResync, onError, onPresence, onTyping } = {}) {
    this.streams.set(stream, {
      last: Number.isInteger(after) ? after : null,
      onEvent,
      onResync,
      onError,
      onPresence,
      onTyping,
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
        sub.onEvent?.(frame);
        return;
      }
      case "subscribed":
        if (sub && sub.last === null) sub.last = frame.seq;
        return;
      case "resync":
        if (sub) {
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
      case "ack":
        this.pending.delete(frame.client_id);
        this.dispatchEvent(new CustomEvent("ack", { detail: frame }));
        return;
      case "error":
        if (this.pending.has(frame.ref)) {
          const refused = this.pending.get(frame.ref);
          this.pending.delete(frame.ref);
          this.dispatchEvent(new CustomEvent("post-error", { detail: { ...frame, body: refused.body } }));
        } else if (this.streams.has(frame.ref)) {
          const lost = this.streams.get(frame.ref);
          this.streams.delete(frame.ref);
          lost.onError?.(frame);
        }
        return;
      default:
    }
  }

  /** Tell the room that this person is typing (the server throttles it too). */
  typing(thread) {
    this.send({ op: "typing", thread });
  }

  /** Send a post; it stays pending (and is resent on reconnect) until acknowledged. */
  post(thread, body) {
    const frame = { op: "post", thread, body, client_id: uuid4() };
    this.pending.set(frame.client_id, frame);
    this.send(frame);
    return frame.client_id;
  }
}

let shared = null;

/** The tab's single connection, created on first use. */
export function live() {
  if (!shared) shared = new LiveConnection();
  return shared;
}

/** Show the connection state in the page's status element, if it has one. */
export function showConnectionState(connection) {
  const status = document.querySelector("[data-live-status]");
  if (!status) return;
  const render = () => {
    const state = connection.state === "connecting" ? "reconnecting" : connection.state;
    status.hidden = false;
    status.dataset.state = state;
    status.textContent = status.dataset[`label${state[0].toUpperCase()}${state.slice(1)}`] || state;
  };
  connection.addEventListener("state", render);
  render();
}

/**
 * Live fragments are rendered once for every viewer and carry every action, each marked
 * `data-action`. Keep those `allowed(kind, own)` grants (the server checks again on
 * use), unwrap a refused history link into plain text, give delete forms the page's
 * CSRF token, and drop the actions bar (`barSelector`) when nothing is left in it.
 */
export function keepAllowedActions(item, allowed, barSelector) {
  const me = document.body.dataset.userId ? Number(document.body.dataset.userId) : null;
  const own = me !== null && item.dataset.authorId !== undefined && Number(item.dataset.authorId) === me;
  const token = document.querySelector("input[name='csrfmiddlewaretoken']")?.value;
  for (const action of item.querySelectorAll("[data-action]")) {
    const kind = action.dataset.action;
    if (!allowed(kind, own)) {
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

/**
 * When the server refuses a post sent from `composer`: drop its pending entry from
 * `list`, give the text back to the empty composer and show why above it.
 */
export function showRefusedPosts(connection, { list, composer, textarea }) {
  connection.addEventListener("post-error", (event) => {
    const frame = event.detail;
    const pending = list.querySelector(`[data-client-id="${frame.ref}"]`);
    if (!pending) return;
    pending.remove();
    if (!textarea.value.trim()) textarea.value = frame.body ?? "";
    const errors = document.createElement("div");
    errors.className = "form-errors";
    errors.setAttribute("role", "alert");
    errors.textContent = `${list.dataset.labelFailed} ${frame.message}`;
    composer.prepend(errors);
  });
}
