// Tasks and milestones, live: the board, the list and the timeline refresh their
// fragment when the workspace's stream reports a change (`workspace:event`, from
// workspace_live.js); on the board, cards move by drag and drop and, for a focused
// card, by the arrow keys. Moves are sent as the buttons' forms would be; which
// cards can move is decided by the server (only movable cards carry a move URL).

import { errorText, fetchFragment } from "./fragments.js";
import { gettext, interpolate } from "./i18n.js";
import { clearAlert, showAlert } from "./notices.js";

const LIVE_TYPES = /^(task\.|milestone\.|resync$)/;
const REFRESH_DELAY_MS = 150;

const csrfToken = () => document.querySelector("input[name='csrfmiddlewaretoken']")?.value ?? "";

/** A region of the page that is re-rendered from its `data-fragment-url`. */
class Fragment {
  constructor(element) {
    this.element = element;
    this.timer = null;
    this.held = false; // a drag or a move in flight: refresh once it ends
    this.wanted = false;
  }

  /** Ask for a refresh soon (changes often come in bursts). */
  schedule() {
    this.wanted = true;
    if (this.held || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh();
    }, REFRESH_DELAY_MS);
  }

  hold() {
    this.held = true;
  }

  release() {
    this.held = false;
    if (this.wanted) this.schedule();
  }

  async refresh() {
    if (this.held) return;
    this.wanted = false;
    const focused = document.activeElement?.closest?.("[data-task]")?.dataset.task;
    let answer;
    try {
      answer = await fetchFragment(this.element.dataset.fragmentUrl);
    } catch (error) {
      showAlert(gettext("The tasks could not be refreshed. Reload the page to see the latest changes."), "tasks-refresh");
      console.warn("task refresh failed", error);
      return;
    }
    clearAlert("tasks-refresh");
    // A drag may have started while the answer was on its way: keep it intact.
    if (this.held) {
      this.wanted = true;
      return;
    }
    this.element.innerHTML = answer.html;
    if (focused) this.element.querySelector(`[data-task="${CSS.escape(focused)}"]`)?.focus();
    this.element.dispatchEvent(new CustomEvent("fragment:refreshed", { bubbles: true }));
  }
}

const fragments = [...document.querySelectorAll("#task-board, #task-list, #milestone-timeline")].map(
  (element) => new Fragment(element),
);

document.addEventListener("workspace:event", (event) => {
  const type = event.detail?.type ?? "";
  if (!LIVE_TYPES.test(type)) return;
  for (const fragment of fragments) fragment.schedule();
});

// --- the board ------------------------------------------------------------------------

const boardElement = document.getElementById("task-board");
const board = fragments.find((fragment) => fragment.element === boardElement);
const announcer = document.querySelector("[data-board-announcer]");

function announce(message) {
  if (!announcer) return;
  // Emptied first, so that the same words twice are read twice.
  announcer.textContent = "";
  setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

const columnOf = (card) => card.closest(".task-cards");
const cardsOf = (list) => [...list.querySelectorAll(":scope > [data-task]")];
const columnLabel = (list) =>
  list.closest(".task-column")?.querySelector(".task-column__title")?.firstChild?.textContent.trim() ?? "";

/** Send a move as the card's form would; true when the server took it. */
async function sendMove(card, status, position) {
  const body = new FormData();
  body.append("status", status);
  body.append("position", String(position));
  body.append("revision", card.dataset.revision);
  let response;
  let answer = {};
  try {
    response = await fetch(card.dataset.moveUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
    answer = await response.json();
  } catch (error) {
    showAlert(gettext("The task could not be moved: the connection failed. Try again."), "task-move");
    console.warn("task move failed", error);
    return false;
  }
  if (!response.ok) {
    const message = errorText(answer, gettext("The task could not be moved."));
    showAlert(message, "task-move");
    announce(message);
    return false;
  }
  clearAlert("task-move");
  card.dataset.revision = String(answer.revision);
  return answer;
}

/** Move `card` to `list` at `index`, on the server, then show the board as it is. */
async function move(card, list, index) {
  const title = card.dataset.title;
  board.hold();
  const answer = await sendMove(card, list.dataset.status, index);
  board.release();
  if (answer) {
    announce(
      interpolate(gettext("“%(title)s” moved to %(column)s, position %(position)s."), {
        title,
        column: answer.column,
        position: answer.position + 1,
      }),
    );
  }
  await board.refresh();
  boardElement.querySelector(`[data-task="${CSS.escape(card.dataset.task)}"]`)?.focus();
}

// Drag and drop: the card itself travels through the lists while dragged (the
// preview), and is placed on the server when dropped.
let dragged = null;
let origin = null; // [list, next sibling] to put it back when the drag is abandoned

function insertionPoint(list, y) {
  return cardsOf(list).find((card) => {
    if (card === dragged) return false;
    const box = card.getBoundingClientRect();
    return y < box.top + box.height / 2;
  });
}

if (boardElement && board) {
  boardElement.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.("[data-task][data-move-url]");
    if (!card) return;
    dragged = card;
    origin = [columnOf(card), card.nextElementSibling];
    board.hold();
    card.classList.add("task-card--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.title);
  });

  boardElement.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const list = event.target.closest?.(".task-column")?.querySelector(".task-cards");
    if (!list) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const before = insertionPoint(list, event.clientY);
    if (before) {
      if (dragged.nextElementSibling !== before) list.insertBefore(dragged, before);
    } else if (list.lastElementChild !== dragged) {
      list.append(dragged);
    }
  });

  boardElement.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const card = dragged;
    const list = columnOf(card);
    const index = cardsOf(list).indexOf(card);
    dragged = null;
    origin = null;
    card.classList.remove("task-card--dragging");
    move(card, list, index);
  });

  boardElement.addEventListener("dragend", () => {
    if (!dragged) return;
    // Dropped outside a column: back where it was.
    const [list, next] = origin;
    list.insertBefore(dragged, next && next.parentNode === list ? next : null);
    dragged.classList.remove("task-card--dragging");
    dragged = null;
    origin = null;
    board.release();
  });

  boardElement.addEventListener("keydown", (event) => {
    const card = event.target;
    if (!card.matches?.("[data-task][data-move-url]") || event.altKey || event.ctrlKey || event.metaKey) return;
    const list = columnOf(card);
    const lists = [...boardElement.querySelectorAll(".task-cards")];
    const index = cardsOf(list).indexOf(card);
    let target = null;
    let position = index;
    if (event.key === "ArrowUp" && index > 0) {
      [target, position] = [list, index - 1];
    } else if (event.key === "ArrowDown" && index < cardsOf(list).length - 1) {
      [target, position] = [list, index + 1];
    } else if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const next = lists[lists.indexOf(list) + (event.key === "ArrowLeft" ? -1 : 1)];
      if (next) [target, position] = [next, Math.min(index, cardsOf(next).length)];
    } else {
      return;
    }
    event.preventDefault();
    if (!target) {
      announce(interpolate(gettext("“%(title)s” cannot go further that way."), { title: card.dataset.title }));
      return;
    }
    announce(
      interpolate(gettext("Moving “%(title)s” to %(column)s…"), {
        title: card.dataset.title,
        column: columnLabel(target),
      }),
    );
    move(card, target, position);
  });
}
