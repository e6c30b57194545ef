// Files in the composer: attach them with the button, or paste or drop images into
// it. Each file uploads at once, its progress shown, to the thread's upload address
// (community:attachment-upload; on the new-thread form, the community's,
// community:community-attachment-upload; the workspace documents' checks) and then waits as a
// hidden `attachments` input: the plain form posts it, the socket send reads it
// (`attachmentIds`). Until sent, an upload is its uploader's alone; "Remove" deletes
// it. Without scripts the box stays hidden and the composer sends text.

import { gettext, interpolate } from "./i18n.js";

const csrfToken = (form) =>
  form.querySelector("input[name='csrfmiddlewaretoken']")?.value ??
  document.querySelector("input[name='csrfmiddlewaretoken']")?.value ??
  "";

function boxOf(form) {
  return form?.querySelector("[data-composer-attachments]") ?? null;
}

/** The ids of the files uploaded and waiting in `form`'s composer, in order. */
export function attachmentIds(form) {
  const box = boxOf(form);
  if (!box) return [];
  return [...box.querySelectorAll("input[name='attachments']")].map((input) => Number(input.value));
}

/** Forget the files of `form`'s composer once its message was sent with them. */
export function attachmentsSent(form) {
  const box = boxOf(form);
  if (!box) return;
  box.querySelector("[data-attachment-list]").replaceChildren();
  updateRequired(form);
}

function busy(form) {
  return Boolean(boxOf(form)?.querySelector("[data-attachment-uploading]"));
}

function showError(box, message) {
  const error = box.querySelector("[data-attachment-error]");
  error.textContent = message;
  error.hidden = !message;
}

// With files waiting, the text is optional (the server accepts files alone).
function updateRequired(form) {
  const textarea = form.querySelector("textarea[name='body']");
  if (!textarea) return;
  if (!("wasRequired" in textarea.dataset)) textarea.dataset.wasRequired = textarea.required ? "1" : "";
  textarea.required = textarea.dataset.wasRequired === "1" && attachmentIds(form).length === 0;
}

function errorOf(xhr) {
  let answer = null;
  try {
    answer = JSON.parse(xhr.responseText);
  } catch {
    answer = null;
  }
  const messages = answer?.errors ? Object.values(answer.errors).flat() : [];
  if (messages.length) return messages.join(" ");
  return gettext("The file could not be uploaded: try again in a moment.");
}

function item(file) {
  const li = document.createElement("li");
  li.className = "composer-attachment";
  li.dataset.attachmentUploading = "";
  const name = document.createElement("span");
  name.className = "composer-attachment__name";
  name.textContent = file.name || gettext("Pasted image");
  const progress = document.createElement("progress");
  progress.max = 100;
  progress.value = 0;
  progress.setAttribute("aria-label", interpolate(gettext("Uploading %(name)s"), { name: name.textContent }));
  li.append(name, progress);
  return { li, progress };
}

function ready(form, li, data) {
  delete li.dataset.attachmentUploading;
  li.querySelector("progress")?.remove();
  li.dataset.attachmentId = data.id;
  if (data.thumbnail_url) {
    const image = document.createElement("img");
    image.src = data.thumbnail_url;
    image.alt = "";
    image.className = "composer-attachment__thumb";
    li.prepend(image);
  }
  const size = document.createElement("span");
  size.className = "composer-attachment__size";
  size.textContent = data.size;
  const input = document.createElement("input");
  input.type = "hidden";
  input.name = "attachments";
  input.value = data.id;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "link-button composer-attachment__remove";
  remove.textContent = gettext("Remove");
  remove.setAttribute("aria-label", interpolate(gettext("Remove %(name)s"), { name: data.name }));
  removable(form, li, remove, data.discard_url);
  li.append(size, remove, input);
  updateRequired(form);
}

// "Remove": the file leaves the composer and, on the server, its pending upload.
function removable(form, li, button, discardUrl) {
  button.addEventListener("click", () => {
    li.remove();
    updateRequired(form);
    fetch(discardUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
    }).catch(() => {
      // Unsent uploads expire on the server anyway; say so rather than nothing.
      showError(boxOf(form), gettext("The file could not be removed now: it will be removed by itself later."));
    });
  });
}

function upload(form, file) {
  const box = boxOf(form);
  const { li, progress } = item(file);
  box.querySelector("[data-attachment-list]").append(li);
  showError(box, "");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", box.dataset.uploadUrl);
  xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
  });
  xhr.addEventListener("load", () => {
    let data = null;
    if (xhr.status === 201) {
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null; // shown as a failed upload below
      }
    }
    if (data?.id) {
      ready(form, li, data);
      return;
    }
    li.remove();
    showError(box, errorOf(xhr));
  });
  xhr.addEventListener("error", () => {
    li.remove();
    showError(box, gettext("The file could not be uploaded: check your connection and try again."));
  });
  const data = new FormData();
  // A pasted image may have no name: the server names it by its content.
  data.append("file", file, file.name || "image.png");
  xhr.send(data);
}

function filesOf(transfer) {
  return transfer ? [...transfer.files] : [];
}

function setUp(form) {
  const box = boxOf(form);
  if (!box || box.dataset.ready) return;
  box.dataset.ready = "1";
  box.hidden = false;
  // Files the page was shown again with (a refused new thread keeps its uploads).
  for (const li of box.querySelectorAll("[data-attachment-list] > li[data-discard-url]")) {
    const button = li.querySelector("button");
    if (button) removable(form, li, button, li.dataset.discardUrl);
  }
  updateRequired(form);
  const input = box.querySelector("[data-attachment-input]");
  input.addEventListener("change", () => {
    for (const file of input.files) upload(form, file);
    input.value = "";
  });
  const textarea = form.querySelector("textarea[name='body']");
  textarea?.addEventListener("paste", (event) => {
    const files = filesOf(event.clipboardData);
    if (!files.length) return;
    event.preventDefault();
    for (const file of files) upload(form, file);
  });
  form.addEventListener("dragover", (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
    event.preventDefault();
    form.classList.add("composer--drop");
  });
  form.addEventListener("dragleave", () => form.classList.remove("composer--drop"));
  form.addEventListener("drop", (event) => {
    const files = filesOf(event.dataTransfer);
    form.classList.remove("composer--drop");
    if (!files.length) return;
    event.preventDefault();
    for (const file of files) upload(form, file);
  });
  // Registered before the pages' own send handlers (they import this module): a
  // message waits until its files are uploaded.
  form.addEventListener(
    "submit",
    (event) => {
      if (!busy(form)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      showError(box, gettext("Wait until the files are uploaded, then send."));
    },
    { capture: true },
  );
}

for (const form of document.querySelectorAll("form")) {
  if (boxOf(form)) setUp(form);
}
