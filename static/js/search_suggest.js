// Suggestions as one types in the header's search box: the first few results of each
// kind (search:suggestions), chosen with the arrow keys and Enter, or a click. Without
// this module the box is a plain GET form to the results page.

import { gettext } from "./i18n.js";
import { Listbox, debounce } from "./listbox.js";

const form = document.querySelector("form[data-search-suggestions]");
const field = form?.querySelector("input[name='q']");
const MIN_LENGTH = 2;

if (form && field) {
  const url = form.dataset.searchSuggestions;
  let asked = 0;
  field.setAttribute("role", "combobox");
  field.setAttribute("autocomplete", "off");
  const listbox = new Listbox(field, {
    label: gettext("Search suggestions"),
    className: "listbox--search",
    tabChooses: false,
    onChoose: (data) => {
      window.location.assign(data.url);
    },
  });

  const suggest = debounce(async () => {
    const text = field.value.trim();
    asked += 1;
    const ask = asked;
    if (text.length < MIN_LENGTH) {
      listbox.hide();
      return;
    }
    let answer;
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ q: text })}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      answer = await response.json();
    } catch {
      return; // the form still works: Enter opens the results page
    }
    if (ask !== asked || document.activeElement !== field) return;
    const groups = answer.groups.map((group) => ({
      label: group.label,
      options: group.items.map((item) => ({
        data: item,
        render(li) {
          const title = document.createElement("span");
          title.className = "listbox__title";
          title.textContent = item.title;
          li.append(title);
          if (item.context) {
            const context = document.createElement("span");
            context.className = "listbox__context muted small";
            context.textContent = item.context;
            li.append(" ", context);
          }
        },
      })),
    }));
    if (groups.length) {
      groups.push({
        options: [
          {
            data: { url: answer.all },
            render(li) {
              li.classList.add("listbox__all");
              li.textContent = gettext("See all results");
            },
          },
        ],
      });
    }
    listbox.show(groups);
  }, 200);

  field.addEventListener("input", suggest);
  field.addEventListener("keydown", (event) => {
    if (listbox.handleKey(event)) event.preventDefault();
  });
}
