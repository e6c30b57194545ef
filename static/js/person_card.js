// A person's card (Discourse's user card): a click or Enter on a person's name, or on
// an avatar link, marked `data-person-card` with the card's address, opens a small
// dialog beside it with their avatar, name and organisation, "Send a message" (when
// the server offers it: the card is its fragment, /u/<username>/card/) and "View
// profile". Focus moves into the card; Escape, the close button or a click outside
// close it and give focus back to the name. Middle-click and Ctrl/Cmd/Shift-click
// still open the profile, and without this module the name is a plain link to it.

import { fetchFragment } from "./fragments.js";

const GAP = 6;
const MARGIN = 8;

let shown = null; // { card, trigger }
let asking = 0; // the latest request: an older answer arriving late is dropped

function focusables(card) {
  return [...card.querySelectorAll("a[href], button:not([disabled])")];
}

function place() {
  if (!shown) return;
  const { card, trigger } = shown;
  const anchor = trigger.getBoundingClientRect();
  const width = card.offsetWidth;
  const height = card.offsetHeight;
  const left = Math.max(MARGIN, Math.min(anchor.left, window.innerWidth - width - MARGIN));
  let top = anchor.bottom + GAP;
  // No room below the name: above it, if there is room there.
  if (top + height > window.innerHeight - MARGIN && anchor.top - GAP - height >= MARGIN) {
    top = anchor.top - GAP - height;
  }
  card.style.left = `${left}px`;
  card.style.top = `${Math.max(MARGIN, top)}px`;
}

function close({ giveFocusBack = true } = {}) {
  if (!shown) return;
  const { card, trigger } = shown;
  shown = null;
  card.remove();
  trigger.setAttribute("aria-expanded", "false");
  if (giveFocusBack) trigger.focus();
}

async function open(trigger) {
  close({ giveFocusBack: false });
  const request = ++asking;
  let answer;
  try {
    answer = await fetchFragment(trigger.dataset.personCard);
  } catch {
    // The card cannot be had (gone, offline): the link does what it always did.
    if (request === asking) window.location.assign(trigger.href);
    return;
  }
  if (request !== asking || !trigger.isConnected) return;
  const card = document.createElement("div");
  card.className = "person-card";
  card.setAttribute("role", "dialog");
  card.setAttribute("aria-labelledby", "person-card-name");
  card.setAttribute("data-person-card-dialog", "");
  card.tabIndex = -1;
  card.innerHTML = answer.html;
  document.body.append(card);
  shown = { card, trigger };
  trigger.setAttribute("aria-expanded", "true");
  place();
  // Focus on the first action: "Send a message" where offered, else "View profile".
  (card.querySelector(".person-card__actions :is(button, a[href])") ?? card).focus();
}

document.addEventListener("click", (event) => {
  if (shown && event.target.closest("[data-person-card-close]")) {
    close();
    return;
  }
  const trigger = event.target.closest("a[data-person-card]");
  if (!trigger) return;
  // A new tab or window, a download: the browser's own, the profile.
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (shown?.trigger === trigger) close();
  else open(trigger);
});

// A click (or touch) outside the card and its name closes it.
document.addEventListener(
  "pointerdown",
  (event) => {
    if (!shown) return;
    if (shown.card.contains(event.target) || shown.trigger.contains(event.target)) return;
    close();
  },
  true,
);

// On the window, before the page's own keys (a room's shortcuts, menus) see Escape.
window.addEventListener(
  "keydown",
  (event) => {
    if (!shown) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Tab") {
      // Tab goes round the card's controls, as in any dialog, until it is closed.
      const items = focusables(shown.card);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && (document.activeElement === first || document.activeElement === shown.card)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  },
  true,
);

window.addEventListener("resize", place);
// The card follows its name when the page, or the scrolling part of it, scrolls.
document.addEventListener("scroll", place, { capture: true, passive: true });
