// A popup listbox of choices under a text field (ARIA listbox pattern): options are
// moved through with the arrow keys while focus stays in the field
// (aria-activedescendant), Enter or Tab chooses, Escape closes. Used by the header's
// search suggestions and the composers' mention suggestions.

let counter = 0;

export class Listbox {
  /**
   * @param {HTMLElement} field the input or textarea keeping focus
   * @param {object} options label (the listbox's accessible name), onChoose(option)
   *   (called with the chosen option's data), className, tabChooses (Tab picks too)
   */
  constructor(field, { label, onChoose, className = "", tabChooses = true }) {
    counter += 1;
    this.field = field;
    this.onChoose = onChoose;
    this.tabChooses = tabChooses;
    this.options = [];
    this.active = -1;
    this.element = document.createElement("ul");
    this.element.id = `listbox-${counter}`;
    this.element.className = `listbox ${className}`.trim();
    this.element.setAttribute("role", "listbox");
    this.element.setAttribute("aria-label", label);
    this.element.hidden = true;
    field.setAttribute("aria-controls", this.element.id);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    // At the end of the field's box, so whatever sits right after the field (its
    // length counter) stays there.
    field.parentElement.append(this.element);
    // A click on an option must not blur the field first (which would close the list).
    this.element.addEventListener("mousedown", (event) => event.preventDefault());
    this.element.addEventListener("click", (event) => {
      const item = event.target.closest("[role='option']");
      if (item) this.choose(Number(item.dataset.index));
    });
    field.addEventListener("blur", () => this.hide());
  }

  get isOpen() {
    return !this.element.hidden;
  }

  /**
   * Show `groups`: [{label (optional), options: [{data, render(li)}]}]; an empty list
   * hides the listbox.
   */
  show(groups) {
    this.element.replaceChildren();
    this.options = [];
    this.active = -1;
    for (const group of groups) {
      let parent = this.element;
      if (group.label) {
        const wrapper = document.createElement("li");
        wrapper.setAttribute("role", "presentation");
        const heading = document.createElement("div");
        heading.className = "listbox__heading";
        heading.id = `${this.element.id}-group-${this.element.children.length}`;
        heading.textContent = group.label;
        const list = document.createElement("ul");
        list.setAttribute("role", "group");
        list.setAttribute("aria-labelledby", heading.id);
        wrapper.append(heading, list);
        this.element.append(wrapper);
        parent = list;
      }
      for (const option of group.options) {
        const item = document.createElement("li");
        const index = this.options.length;
        item.id = `${this.element.id}-option-${index}`;
        item.dataset.index = String(index);
        item.className = "listbox__option";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        option.render(item);
        parent.append(item);
        this.options.push({ item, data: option.data });
      }
    }
    if (!this.options.length) {
      this.hide();
      return;
    }
    this.element.hidden = false;
    this.field.setAttribute("aria-expanded", "true");
  }

  hide() {
    this.element.hidden = true;
    this.active = -1;
    this.field.setAttribute("aria-expanded", "false");
    this.field.removeAttribute("aria-activedescendant");
  }

  move(step) {
    if (!this.options.length) return;
    const count = this.options.length;
    this.active = this.active < 0 ? (step > 0 ? 0 : count - 1) : (this.active + step + count) % count;
    this.options.forEach(({ item }, index) => item.setAttribute("aria-selected", String(index === this.active)));
    const { item } = this.options[this.active];
    this.field.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  }

  choose(index) {
    const option = this.options[index];
    this.hide();
    if (option) this.onChoose(option.data);
  }

  /** Handle a keydown in the field; true when the listbox took it. */
  handleKey(event) {
    if (!this.isOpen) return false;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      this.move(event.key === "ArrowDown" ? 1 : -1);
      return true;
    }
    if (event.key === "Escape") {
      this.hide();
      return true;
    }
    if ((event.key === "Enter" || (event.key === "Tab" && this.tabChooses)) && !event.shiftKey) {
      if (this.active < 0) {
        if (event.key === "Tab" && this.options.length) {
          this.choose(0);
          return true;
        }
        return false;
      }
      this.choose(this.active);
      return true;
    }
    return false;
  }
}

/** Call `action` once typing paused for `wait` milliseconds. */
export function debounce(action, wait) {
  let timer = 0;
  return (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => action(...args), wait);
  };
}
