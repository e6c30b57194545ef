// Length limits as a live counter. Fields carry `data-max-length` instead of the HTML
// `maxlength`, which browsers apply by cutting pasted text without a word. The counter
// shows from 80% of the limit, turns red past it, and the field's custom validity
// keeps the form (and the live sockets' submit handlers) from sending the text, which
// stays in the field. The server refuses over-long text too, with its own message.
//
// The counter's markup comes from the page's <template data-length-counter>
// (includes/length_counter.html), its words from the JavaScript catalogue.

import { gettext, interpolate, ngettext, pageLanguage } from "./i18n.js";

const SHOW_FROM = 0.8; // of the limit
const ANNOUNCE_AFTER_MS = 1_000; // screen readers hear the count once typing pauses

const numbers = new Intl.NumberFormat(pageLanguage);

/** Characters as the server counts them: code points, so an emoji counts once. */
function textLength(text) {
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
  return text.length - (pairs ? pairs.length : 0);
}

/** Whether `field` holds more characters than its `data-max-length`. */
export function overLimit(field) {
  const limit = Number(field.dataset.maxLength);
  return limit > 0 && textLength(field.value) > limit;
}

/** `values` with their numbers written the page's way (1.234 in Italian). */
function formatted(values) {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, numbers.format(value)]));
}

const tallyText = (count, limit) => interpolate(gettext("%(count)s / %(limit)s"), formatted({ count, limit }));

const leftText = (left) =>
  interpolate(ngettext("%(left)s character left", "%(left)s characters left", left), formatted({ left }));

const overText = (over, limit) =>
  interpolate(
    ngettext(
      "Too long by %(over)s character (at most %(limit)s): shorten the text to send it.",
      "Too long by %(over)s characters (at most %(limit)s): shorten the text to send it.",
      over,
    ),
    formatted({ over, limit }),
  );

function attach(field, template) {
  const counter = template.content.firstElementChild.cloneNode(true);
  const visible = counter.querySelector("[data-length-counter-text]");
  const status = counter.querySelector("[data-length-counter-status]");
  status.id = `${field.id || field.name}-length`;
  field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), status.id].filter(Boolean).join(" "));
  field.after(counter);

  let announced = "";
  let timer = null;

  function update() {
    const limit = Number(field.dataset.maxLength);
    const count = textLength(field.value);
    const over = count - limit;
    const shown = count >= limit * SHOW_FROM;
    const refusal = over > 0 ? overText(over, limit) : "";
    field.setCustomValidity(refusal);
    field.toggleAttribute("data-length-over", over > 0);
    counter.hidden = !shown;
    counter.classList.toggle("length-counter--over", over > 0);
    const tally = tallyText(count, limit);
    visible.textContent = refusal ? `${tally} · ${refusal}` : tally;
    const message = !shown ? "" : refusal || leftText(limit - count);
    clearTimeout(timer);
    if (message === announced) return;
    timer = setTimeout(() => {
      announced = message;
      status.textContent = message;
    }, ANNOUNCE_AFTER_MS);
  }

  field.addEventListener("input", update);
  update();
  return update;
}

// Forms that leave validation to the server (`novalidate`, to show its messages)
// are still not sent past a limit: the text would only come back refused.
document.addEventListener(
  "submit",
  (event) => {
    const over = event.target.querySelector?.("[data-length-over]");
    if (!over) return;
    event.preventDefault();
    event.stopPropagation();
    over.reportValidity();
    over.focus();
  },
  true,
);

/** Give the limited fields under `root` their counters: the page's at load, and
 * those of a part a live page swapped in (innovation_live.js). */
export function lengthLimits(root) {
  const template = document.querySelector("template[data-length-counter]");
  if (!template) return [];
  return [...root.querySelectorAll("input[data-max-length], textarea[data-max-length]")].map((field) =>
    attach(field, template),
  );
}

const updates = lengthLimits(document);
// Values the browser restores when coming back to the page.
window.addEventListener("pageshow", () => updates.forEach((update) => update()));
