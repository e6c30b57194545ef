// Mention suggestions in every composer: typing "@" and a few letters lists the
// people who may read the thread being written in (search:mentions, filtered on the
// server), chosen with the arrow keys and Enter or Tab (Escape closes); the choice
// becomes "@username ". A composer opts in with data-mentions-thread (a thread's or
// room's id) or data-mentions-community (a community's slug, for a new thread) on its
// form; the endpoint's address is on <body data-mentions-url>.

import { gettext, interpolate, ngettext } from "./i18n.js";
import { Listbox, debounce } from "./listbox.js";

const endpoint = document.body.dataset.mentionsUrl;
// "@" at the start or after a space or punctuation (not inside an address), then the
// letters typed so far, up to the caret.
const TYPED = /(?:^|[^\w@/.])@([\w.+-]{1,60})$/u;

function scopeOf(form) {
  if (form.dataset.mentionsThread) return { thread: form.dataset.mentionsThread };
  if (form.dataset.mentionsCommunity) return { community: form.dataset.mentionsCommunity };
  return null;
}

function enhance(textarea, scope) {
  let asked = 0;
  let typed = null; // {start, end} of the "@prefix" being completed
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  textarea.parentElement.append(status);

  const listbox = new Listbox(textarea, {
    label: gettext("People to mention"),
    className: "listbox--mentions",
    onChoose: ({ username }) => {
      if (!typed) return;
      const before = textarea.value.slice(0, typed.start);
      const after = textarea.value.slice(typed.end);
      const inserted = `@${username} `;
      textarea.value = before + inserted + after.replace(/^ /, "");
      const caret = before.length + inserted.length;
      textarea.setSelectionRange(caret, caret);
      typed = null;
      status.textContent = "";
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });

  const suggest = debounce(async () => {
    const caret = textarea.selectionStart ?? textarea.value.length;
    const match = TYPED.exec(textarea.value.slice(0, caret));
    asked += 1;
    const ask = asked;
    if (!match) {
      typed = null;
      listbox.hide();
      return;
    }
    const prefix = match[1];
    let answer;
    try {
      const response = await fetch(`${endpoint}?${new URLSearchParams({ ...scope, q: prefix })}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) {
        listbox.hide();
        return;
      }
      answer = await response.json();
    } catch {
      listbox.hide();
      return;
    }
    if (ask !== asked || document.activeElement !== textarea) return;
    typed = { start: caret - prefix.length - 1, end: caret };
    listbox.show([
      {
        options: answer.people.map((person) => ({
          data: person,
          render(li) {
            let picture;
            if (person.avatar) {
              picture = document.createElement("img");
              picture.src = person.avatar;
              picture.alt = "";
              picture.className = "avatar avatar--sm";
            } else {
              picture = document.createElement("span");
              picture.className = "avatar avatar--sm avatar--initials";
              picture.setAttribute("aria-hidden", "true");
              picture.textContent = person.initials;
            }
            const name = document.createElement("span");
            name.className = "listbox__title";
            name.textContent = person.name;
            const username = document.createElement("span");
            username.className = "listbox__context muted small";
            username.textContent = `@${person.username}`;
            li.append(picture, " ", name, " ", username);
          },
        })),
      },
    ]);
    const count = answer.people.length;
    status.textContent = count
      ? interpolate(ngettext("%(count)s person to mention", "%(count)s people to mention", count), { count })
      : gettext("Nobody to mention with these letters");
  }, 150);

  textarea.addEventListener("input", suggest);
  // Before the composers' own keys (Enter sends a room message): capture phase.
  textarea.form.addEventListener(
    "keydown",
    (event) => {
      if (event.target !== textarea) return;
      if (listbox.handleKey(event)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
}

/** Mention suggestions in `form`'s body field (a composer added after the page
 * loaded: the in-place editor of a post). */
export function enhanceMentions(form) {
  const textarea = form.querySelector("textarea[name='body']");
  const scope = scopeOf(form);
  if (!endpoint || !textarea || !scope || textarea.hasAttribute("data-mentions-ready")) return;
  textarea.setAttribute("data-mentions-ready", "");
  enhance(textarea, scope);
}

for (const form of document.querySelectorAll("form[data-mentions-thread], form[data-mentions-community]")) {
  enhanceMentions(form);
}
