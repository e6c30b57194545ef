// The room page as an app: the sidebar as a drawer on phones (a button opens it;
// Escape, the overlay or its close button close it; focus moves in and comes back),
// its unread counts kept current (it follows the streams of the communities and
// conversations it lists and reads itself again when one of them has news) and the
// keyboard shortcuts listed in the "?" dialog
// (templates/community/includes/room_shortcuts.html).
//
// Without this module the drawer still opens and closes through `:target` links.
// No shortcut fires while typing in a field, except Alt+Shift+arrows (next or
// previous unread room) and Escape (leave the composer).

import { followActivity } from "./follow_activity.js";
import { fetchFragment } from "./fragments.js";
import { live } from "./live.js";

const drawer = document.querySelector("[data-room-drawer]");
const opener = document.querySelector("[data-drawer-open]");
const overlay = document.querySelector("[data-drawer-overlay]");
const dialog = document.querySelector("dialog[data-shortcuts]");
const stream = document.querySelector("[data-room-stream]");
const main = document.querySelector(".room");

// The drawer is a drawer only while the opener shows (phones); on wide screens the
// sidebar is always there.
const isDrawer = () => opener && getComputedStyle(opener).display !== "none";

function openDrawer() {
  if (!drawer || !isDrawer()) return;
  drawer.classList.add("is-open");
  overlay?.classList.add("is-open");
  opener.setAttribute("aria-expanded", "true");
  drawer.setAttribute("role", "dialog");
  drawer.setAttribute("aria-modal", "true");
  if (main) main.inert = true;
  const current = drawer.querySelector("[aria-current='page']") ?? drawer.querySelector("a, button");
  current?.focus();
}

function closeDrawer({ restoreFocus = true } = {}) {
  if (!drawer?.classList.contains("is-open")) return false;
  drawer.classList.remove("is-open");
  overlay?.classList.remove("is-open");
  opener?.setAttribute("aria-expanded", "false");
  drawer.removeAttribute("role");
  drawer.removeAttribute("aria-modal");
  if (main) main.inert = false;
  if (restoreFocus) opener?.focus();
  return true;
}

opener?.addEventListener("click", (event) => {
  event.preventDefault();
  openDrawer();
});
for (const closer of document.querySelectorAll("[data-drawer-close], [data-drawer-overlay]")) {
  closer.addEventListener("click", (event) => {
    if (!isDrawer()) return;
    event.preventDefault();
    closeDrawer();
  });
}
// Back to a wide screen: the sidebar is no drawer any more.
window.matchMedia("(max-width: 820px)").addEventListener("change", () => closeDrawer({ restoreFocus: false }));
// Focus stays inside the open drawer (Tab from its last control goes to its first).
drawer?.addEventListener("keydown", (event) => {
  if (event.key !== "Tab" || !drawer.classList.contains("is-open")) return;
  const focusable = [...drawer.querySelectorAll("a[href], button:not([disabled]), input, select")].filter(
    (element) => element.offsetParent !== null,
  );
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
});

// --- shortcuts ------------------------------------------------------------------------

const composer = () => document.querySelector("form[data-room-composer] textarea[name='body']");

function typing(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/** The room `step` (1 or -1) from this one, among those with unread messages. */
function unreadRoom(step) {
  const links = [...document.querySelectorAll("[data-room-link]")];
  const here = links.findIndex((link) => link.getAttribute("aria-current") === "page");
  const count = links.length;
  for (let offset = 1; offset < count; offset += 1) {
    const link = links[(((here + step * offset) % count) + count) % count];
    if (link.querySelector("[data-unread]")) return link;
  }
  return null;
}

function jumpToLatest() {
  const latest = document.querySelector("[data-room-latest]");
  if (latest) {
    // An older page of the room: the latest messages are another page.
    window.location.assign(latest.href);
    return;
  }
  if (!stream) return;
  stream.scrollTop = stream.scrollHeight;
  stream.dispatchEvent(new Event("scroll"));
}

function openHelp() {
  if (!dialog || dialog.open) return;
  closeDrawer({ restoreFocus: false });
  dialog.showModal();
}

const help = document.querySelector("[data-shortcuts-open]");
if (help && dialog) {
  help.hidden = false;
  help.addEventListener("click", openHelp);
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing) return;
  const inField = typing(event.target);
  if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const room = unreadRoom(event.key === "ArrowDown" ? 1 : -1);
      event.preventDefault();
      if (room) window.location.assign(room.href);
      return;
    }
  }
  if (event.key === "Escape") {
    if (dialog?.open) return; // the dialog closes itself
    if (closeDrawer()) {
      event.preventDefault();
      return;
    }
    if (inField && event.target === composer()) {
      // Leave the composer for the messages, where the other shortcuts work.
      event.preventDefault();
      stream?.focus();
    }
    return;
  }
  if (inField || event.ctrlKey || event.metaKey || event.altKey || dialog?.open) return;
  if (event.key === "End" && event.shiftKey) {
    event.preventDefault();
    jumpToLatest();
  } else if (event.key === "/") {
    const field = composer();
    if (field) {
      event.preventDefault();
      closeDrawer({ restoreFocus: false });
      field.focus();
    }
  } else if (event.key === "?") {
    event.preventDefault();
    openHelp();
  }
});

// --- the sidebar, live ------------------------------------------------------------------

// The room's own streams need room on the socket (LIVE_MAX_SUBSCRIPTIONS is 100).
const SIDEBAR_STREAMS_MAX = 60;
const SIDEBAR_EVENTS = new Set(["thread.created", "thread.renamed", "thread.moved_in", "thread.moved_out", "member.joined"]);

const sidebarNode = () => document.querySelector("[data-room-sidebar][data-sidebar-url]");

if (sidebarNode()) {
  const connection = live();

  async function refreshSidebar() {
    const current = sidebarNode();
    if (!current) return;
    let answer;
    try {
      answer = await fetchFragment(current.dataset.sidebarUrl);
    } catch {
      return; // the next notice, or a reload, brings the counts up to date
    }
    const focused = current.contains(document.activeElement) ? document.activeElement.getAttribute("href") : null;
    const template = document.createElement("template");
    template.innerHTML = answer.html.trim();
    const fresh = template.content.firstElementChild;
    if (!fresh) return;
    // The open room's count is room.js's to keep (it knows what was read since).
    const here = current.querySelector("[data-room-link][aria-current='page']");
    const freshHere = fresh.querySelector("[data-room-link][aria-current='page']");
    if (here && freshHere) {
      freshHere.querySelector("[data-unread]")?.remove();
      const badge = here.querySelector("[data-unread]");
      if (badge) freshHere.append(badge);
    }
    current.replaceWith(fresh);
    if (focused) fresh.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
    follow(fresh);
  }

  const { follow, schedule } = followActivity(connection, refreshSidebar, {
    events: SIDEBAR_EVENTS,
    limit: SIDEBAR_STREAMS_MAX,
  });
  follow(sidebarNode());
  // Joining a community or a conversation, or leaving one, changes what it lists
  // (the person's own stream: whoever else on the page follows it, we hear it).
  const userStream = sidebarNode().dataset.userStream;
  if (userStream && !connection.streams.has(userStream)) connection.subscribe(userStream, null, {});
  connection.addEventListener("stream-event", (event) => {
    if (event.detail.stream === userStream && event.detail.type?.startsWith("member.")) schedule();
  });
}
