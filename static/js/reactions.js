// Reactions under posts and room messages: a click toggles one without a reload, the
// "+" opens the picker of every offered emoji, and live frames keep every reader's
// counts current. Without this module the bar is a form (POST toggles and comes back)
// and "+" a page with the picker. Whether the reader may react is the server's
// decision (the `react` action); this module only shows it.

import { onAction } from "./actions.js";
import { gettext, interpolate, pageLanguage } from "./i18n.js";
import { fragmentHtml, keepAllowedActions, viewerActions } from "./live.js";
import { showAlert } from "./notices.js";

const me = document.body.dataset.userId ? Number(document.body.dataset.userId) : null;
const csrfToken = () => document.querySelector("input[name='csrfmiddlewaretoken']")?.value ?? "";

function barsOf(root) {
  if (root.matches?.("[data-reactions]")) return [root];
  return [...root.querySelectorAll("[data-reactions]")];
}

/**
 * Make the shared (live) reaction bars in `root` this reader's: their own emoji
 * pressed (from the frame's `data.reactions`), the chips inert and the choices gone
 * when the server did not give them the `react` action.
 */
export function settleReactions(root, frame) {
  const allowed = viewerActions(frame).has("react");
  const summary = Array.isArray(frame?.data?.reactions) ? frame.data.reactions : [];
  for (const bar of barsOf(root)) {
    for (const chip of bar.querySelectorAll(".reaction[data-emoji]")) {
      const entry = summary.find((item) => item?.emoji === chip.dataset.emoji);
      const mine = me !== null && Array.isArray(entry?.users) && entry.users.includes(me);
      chip.setAttribute("aria-pressed", String(mine));
      if (!allowed) {
        chip.type = "button";
        chip.removeAttribute("name");
        chip.setAttribute("aria-disabled", "true");
      }
    }
    const form = bar.querySelector("form[data-reaction-form]");
    if (!allowed) {
      if (!bar.querySelector(".reaction")) bar.remove();
    } else if (form && !form.querySelector("input[name='csrfmiddlewaretoken']")) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "csrfmiddlewaretoken";
      input.value = csrfToken();
      form.prepend(input);
    }
  }
}

/** Put `fresh` (a bar element, or null for none) in place of `item`'s bar, keeping
 *  the focused chip focused and an open picker open. */
function replaceBar(item, fresh) {
  const old = item.querySelector("[data-reactions]");
  const focused = old?.contains(document.activeElement) ? document.activeElement : null;
  const openPicker = old?.querySelector("[data-reaction-menu]:not([hidden])");
  if (!fresh) {
    old?.remove();
    return;
  }
  if (openPicker) {
    fresh.querySelector("[data-reaction-picker]")?.parentElement.append(openPicker);
    fresh.querySelector("[data-reaction-picker]")?.setAttribute("aria-expanded", "true");
  }
  if (old) old.replaceWith(fresh);
  else item.querySelector(".post__body, .room-message__body")?.after(fresh);
  if (focused && !openPicker?.contains(focused)) {
    const emoji = focused.dataset?.emoji ?? focused.value;
    const same = emoji
      ? [...fresh.querySelectorAll("button")].find((b) => (b.dataset.emoji ?? b.value) === emoji)
      : null;
    (same ?? fresh.querySelector("button, a"))?.focus();
  }
}

function parseBar(html) {
  const template = document.createElement("template");
  template.innerHTML = (html ?? "").trim();
  return template.content.querySelector("[data-reactions]");
}

/** A `reaction.*` frame: the post's bar as it is now, for this reader. */
export function showReactions(list, frame) {
  const data = frame?.data ?? {};
  const item = list.querySelector(`[data-post="${Number(data.id)}"]`);
  if (!item) return;
  const html = fragmentHtml({ html: data.reactions_html }, pageLanguage);
  if (html === null) return;
  let fresh = parseBar(html);
  if (fresh) {
    keepAllowedActions(fresh, viewerActions(frame), "[data-reactions-none]");
    settleReactions(fresh, frame);
    // Nothing left to show this reader (no chips, and they may not react).
    if (!fresh.querySelector(".reaction") && !viewerActions(frame).has("react")) fresh = null;
  }
  replaceBar(item, fresh);
}

// --- the picker --------------------------------------------------------------------

function closePicker(link, { focus = false } = {}) {
  const menu = link.parentElement?.querySelector("[data-reaction-menu]");
  if (menu) menu.hidden = true;
  link.setAttribute("aria-expanded", "false");
  if (focus) link.focus();
}

function openPicker(link) {
  let menu = link.parentElement.querySelector("[data-reaction-menu]");
  if (!menu) {
    menu = document.createElement("div");
    menu.className = "reaction-picker";
    menu.dataset.reactionMenu = "";
    menu.setAttribute("role", "group");
    menu.setAttribute("aria-label", gettext("Add a reaction"));
    for (const emoji of (link.dataset.choices ?? "").split(" ").filter(Boolean)) {
      const button = document.createElement("button");
      button.type = "submit";
      button.name = "emoji";
      button.value = emoji;
      button.className = "reaction-choice";
      button.textContent = emoji;
      button.setAttribute("aria-label", interpolate(gettext("React with %(emoji)s"), { emoji }));
      menu.append(button);
    }
    link.parentElement.append(menu); // its own line, after the quick choices
  }
  menu.hidden = false;
  link.setAttribute("aria-expanded", "true");
  menu.querySelector("button")?.focus();
}

onAction("react", (element, event) => {
  const link = event.target instanceof Element ? event.target.closest("[data-reaction-picker]") : null;
  if (!link) return; // a quick choice: its form is sent
  event.preventDefault();
  if (link.getAttribute("aria-expanded") === "true") closePicker(link);
  else openPicker(link);
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = event.target instanceof Element ? event.target.closest("[data-reaction-menu]") : null;
  const link = menu?.parentElement?.querySelector("[data-reaction-picker]");
  if (link) closePicker(link, { focus: true });
});

document.addEventListener("click", (event) => {
  for (const link of document.querySelectorAll("[data-reaction-picker][aria-expanded='true']")) {
    if (!link.parentElement.contains(event.target)) closePicker(link);
  }
});

// --- toggling without a reload -------------------------------------------------------

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches("[data-reaction-form]")) return;
  const button = event.submitter;
  if (event.defaultPrevented || !button?.value) return;
  event.preventDefault();
  const item = form.closest("[data-post]");
  const link = form.querySelector("[data-reaction-picker]");
  if (link) closePicker(link);
  const body = new FormData();
  body.set("emoji", button.value);
  body.set("csrfmiddlewaretoken", form.querySelector("input[name='csrfmiddlewaretoken']")?.value || csrfToken());
  let response = null;
  try {
    response = await fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    });
  } catch {
    response = null;
  }
  const answer = response ? await response.json().catch(() => null) : null;
  if (!response?.ok || typeof answer?.html !== "string") {
    const message =
      typeof answer?.error === "string" && answer.error
        ? answer.error
        : gettext("The reaction could not be saved. Try again in a moment.");
    showAlert(message, "reaction");
    return;
  }
  if (!item) return;
  const fresh = parseBar(answer.html);
  replaceBar(item, fresh);
  // The pressed button went with the old bar: keep the keyboard where it was.
  if (fresh && (!document.activeElement || document.activeElement === document.body)) {
    const chip = fresh.querySelector(`.reaction[data-emoji="${CSS.escape(button.value)}"]`);
    (chip ?? fresh.querySelector("[data-reaction-picker]"))?.focus();
  }
});
