// What the pages that re-read their own fragment share (innovation pages, the
// workspace dashboard): a refresh that never overlaps itself, and the rules for
// swapping a `[data-live-part]` — a part the reader works in is kept (a field has focus
// or differs from what the server rendered), and `<details>` keep their open state
// (matched by id or `data-live-details`).

import { lengthLimits } from "./length_limits.js";

const FIELDS = "input, textarea, select";

/** Does `field` hold something other than what the server rendered? */
function changed(field) {
  if (field.matches("select")) {
    return [...field.options].some((option) => option.selected !== option.defaultSelected);
  }
  if (field.matches("input[type=checkbox], input[type=radio]")) {
    return field.checked !== field.defaultChecked;
  }
  return field.value !== field.defaultValue;
}

/** Is the reader working in `element` (a field with focus, or one they changed)?
 * Its content must not be replaced now. */
export function busy(element) {
  const active = document.activeElement;
  if (active && active !== document.body && element.contains(active) && active.matches(FIELDS)) {
    return true;
  }
  return [...element.querySelectorAll(FIELDS)].some(changed);
}

function detailsKey(details) {
  return details.id || details.dataset.liveDetails || null;
}

/** Give the `<details>` of `replacement` the open state their namesakes in `old` had. */
function carryDetails(old, replacement) {
  const open = new Map();
  for (const details of old.querySelectorAll("details")) {
    const key = detailsKey(details);
    if (key) open.set(key, details.open);
  }
  if (!open.size) return;
  for (const details of replacement.querySelectorAll("details")) {
    const key = detailsKey(details);
    if (key && open.has(key)) details.open = open.get(key);
  }
}

/** Put `replacement` (a node or fragment) in place of `old`'s content or of `old`
 * itself (`whole`), unless the reader works in it; returns whether it was replaced. */
export function replacePart(old, replacement, { whole = true } = {}) {
  if (busy(old)) return false;
  carryDetails(old, replacement);
  if (whole) {
    old.replaceWith(replacement);
    lengthLimits(replacement);
  } else {
    old.replaceChildren(replacement);
    lengthLimits(old);
  }
  return true;
}

/** `read` run one at a time: a call while it runs makes it run once more after. */
export function serialRefresh(read, onError) {
  let running = false;
  let again = false;
  return async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await read();
      } while (again);
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
}
