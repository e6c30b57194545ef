// Each post's and room message's actions (quote, edit, delete, report, moderate, ...)
// behind one "⋯" button instead of always-visible links: the button shows on hover,
// on keyboard focus, always on touch screens, and a long press on a message opens its
// menu. The menu follows the ARIA menu button pattern: the button says whether it is
// open (aria-expanded), the arrow keys, Home and End move between items, Escape closes
// and gives focus back to the button, Tab leaves. Which actions are in a menu is the
// server's decision (the page's markup and the live frames' viewer field); this module
// adds only "Copy link" where the browser can copy.
// Without it the actions stay plain links and forms under each message.

import { gettext } from "./i18n.js";

const LONG_PRESS_MS = 500;

document.documentElement.classList.add("has-action-menus");

const items = (menu) =>
  [...menu.querySelectorAll("a[href], button")].filter((item) => !item.hidden && !item.closest("[hidden]"));

function toggleOf(menu) {
  return menu.parentElement.querySelector(":scope > [data-menu-toggle]");
}

function openMenus() {
  return document.querySelectorAll("[data-menu][data-open]");
}

function close(menu, { focusToggle = false } = {}) {
  menu.removeAttribute("data-open");
  const toggle = toggleOf(menu);
  toggle?.setAttribute("aria-expanded", "false");
  menu.closest("[data-post]")?.classList.remove("has-open-menu");
  if (focusToggle) toggle?.focus();
}

function closeAll(except = null) {
  for (const menu of openMenus()) if (menu !== except) close(menu);
}

function open(menu, focus = "first") {
  closeAll(menu);
  const copy = menu.querySelector("[data-copy-link]");
  if (copy && navigator.clipboard) copy.hidden = false;
  menu.setAttribute("role", "menu");
  const toggle = toggleOf(menu);
  if (toggle) {
    toggle.id ||= `${menu.id}-toggle`;
    menu.setAttribute("aria-labelledby", toggle.id);
  }
  for (const item of items(menu)) {
    item.setAttribute("role", "menuitem");
    item.tabIndex = -1;
  }
  menu.setAttribute("data-open", "");
  toggle?.setAttribute("aria-expanded", "true");
  menu.closest("[data-post]")?.classList.add("has-open-menu");
  // Near the bottom of the room's stream or the window: open upwards, in sight.
  menu.classList.remove("message-actions__menu--up");
  const bottom = menu.closest("[data-room-stream]")?.getBoundingClientRect().bottom ?? window.innerHeight;
  if (menu.getBoundingClientRect().bottom > bottom) menu.classList.add("message-actions__menu--up");
  const list = items(menu);
  const target = focus === "last" ? list.at(-1) : list[0];
  target?.focus();
}

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const toggle = target?.closest("[data-menu-toggle]");
  if (toggle) {
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    if (menu.hasAttribute("data-open")) close(menu);
    else open(menu);
    return;
  }
  const menu = target?.closest("[data-menu][data-open]");
  if (!menu) {
    closeAll();
    return;
  }
  const item = target.closest("a, button");
  if (!item) return;
  if (item.matches("[data-copy-link]")) {
    event.preventDefault();
    copyLink(item);
  }
  // Quote, edit, delete... run (their handlers or the browser); the menu closes.
  close(menu);
});

async function copyLink(link) {
  const status = document.querySelector("[data-copy-status]") ?? statusRegion();
  try {
    await navigator.clipboard.writeText(new URL(link.getAttribute("href"), window.location.href).href);
    status.textContent = gettext("Link copied.");
  } catch {
    status.textContent = gettext("The link could not be copied: open it and copy the address instead.");
  }
  setTimeout(() => (status.textContent = ""), 4_000);
}

function statusRegion() {
  const status = document.createElement("p");
  status.className = "copy-status";
  status.setAttribute("role", "status");
  status.dataset.copyStatus = "";
  document.body.append(status);
  return status;
}

document.addEventListener("keydown", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const toggle = target?.closest("[data-menu-toggle]");
  if (toggle && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    const menu = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    event.preventDefault();
    open(menu, event.key === "ArrowUp" ? "last" : "first");
    return;
  }
  const menu = target?.closest("[data-menu][data-open]");
  if (!menu) return;
  const list = items(menu);
  const index = list.indexOf(target.closest("a, button"));
  const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: list.length - 1 };
  if (event.key in moves) {
    event.preventDefault();
    list[(moves[event.key] + list.length) % list.length]?.focus();
  } else if (event.key === "Escape") {
    event.preventDefault();
    event.stopPropagation();
    close(menu, { focusToggle: true });
  } else if (event.key === "Tab") {
    close(menu);
  } else if (event.key === " " && target.matches("a")) {
    // Space activates menu items, links included.
    event.preventDefault();
    target.click();
  }
});

// Focus leaving an open menu (a click elsewhere, a screen reader moving on) closes it.
document.addEventListener("focusin", (event) => {
  for (const menu of openMenus()) {
    const owner = menu.parentElement;
    if (!owner.contains(event.target)) close(menu);
  }
});

// A long press on a message (touch screens) opens its menu, as phones' apps do.
let pressTimer = null;
let pressedAt = null;
document.addEventListener("pointerdown", (event) => {
  if (event.pointerType !== "touch") return;
  const target = event.target instanceof Element ? event.target : null;
  const message = target?.closest("[data-post]");
  if (!message || target.closest("a, button, input, textarea, select, label, [data-menu]")) return;
  const menu = message.querySelector(":scope [data-message-actions] [data-menu]");
  if (!menu) return;
  pressedAt = { x: event.clientX, y: event.clientY };
  clearTimeout(pressTimer);
  pressTimer = setTimeout(() => {
    pressTimer = null;
    open(menu);
  }, LONG_PRESS_MS);
});
const cancelPress = () => {
  clearTimeout(pressTimer);
  pressTimer = null;
};
document.addEventListener("pointerup", cancelPress);
document.addEventListener("pointercancel", cancelPress);
document.addEventListener("pointermove", (event) => {
  if (pressTimer && pressedAt && Math.hypot(event.clientX - pressedAt.x, event.clientY - pressedAt.y) > 10) cancelPress();
});
// The press opened the menu: not the browser's own menu as well.
document.addEventListener("contextmenu", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (target?.closest("[data-post].has-open-menu") && !target.closest("a[href]:not([data-menu] a), img")) event.preventDefault();
});
