// Document pages: files dropped on the upload form, sent with a progress bar
// (XMLHttpRequest upload progress, one request a file), and the document list
// refreshed when another participant uploads, deletes or restores a document; a
// document's preview appears when the server has drawn it. Without JavaScript the forms post as they are and the page reloads.

import { errorText, fetchFragment } from "./fragments.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const csrfToken = (form) => form.querySelector("input[name='csrfmiddlewaretoken']")?.value ?? "";

/** Send one file with the form's other fields; resolve with the JSON answer. */
function sendFile(form, input, file, { inBatch, onProgress }) {
  return new Promise((resolve, reject) => {
    const body = new FormData(form);
    body.delete(input.name);
    body.append(input.name, file, file.name);
    if (inBatch) body.set("in_batch", "True");
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", csrfToken(form));
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = { errors: { __all__: [gettext("The server's answer could not be read.")] }, parseError: String(error) };
      }
      if (request.status >= 200 && request.status < 300) resolve(answer);
      else reject(answer);
    });
    request.addEventListener("error", () =>
      reject({ errors: { __all__: [gettext("The upload failed: check your connection and try again.")] } }),
    );
    request.send(body);
  });
}

const refusal = (answer) => errorText(answer, gettext("The upload was refused."));

function enhance(form) {
  const input = form.querySelector("input[type=file]");
  const progress = form.querySelector("[data-upload-progress]");
  const status = form.querySelector("[data-upload-status]");
  if (!input || !progress || !status) return;
  const zone = input.closest(".field") ?? input;
  const hint = form.querySelector("[data-drop-hint]");
  zone.classList.add("dropzone");
  if (hint) {
    zone.prepend(hint);
    hint.hidden = false;
  }

  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dropzone--over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dropzone--over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dropzone--over");
    const dropped = event.dataTransfer?.files;
    if (!dropped?.length) return;
    if (!input.multiple && dropped.length > 1) {
      status.textContent = gettext("Drop one file only: it becomes the new version.");
      return;
    }
    input.files = dropped;
    status.textContent = interpolate(
      ngettext("%(count)s file ready to upload.", "%(count)s files ready to upload.", dropped.length),
      { count: dropped.length },
    );
  });

  form.addEventListener("submit", async (event) => {
    const files = Array.from(input.files ?? []);
    // No file: let the form post, so the server says what is missing.
    if (!files.length) return;
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
    let done = 0;
    let last = null;
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    status.classList.remove("field__error");
    try {
      for (const file of files) {
        status.textContent = interpolate(gettext("Uploading %(name)s…"), { name: file.name });
        last = await sendFile(form, input, file, {
          inBatch: files.length > 1,
          onProgress(loaded) {
            progress.value = Math.min(100, Math.round(((done + loaded) / total) * 100));
          },
        });
        done += file.size;
      }
    } catch (answer) {
      status.textContent = refusal(answer);
      status.classList.add("field__error");
      progress.hidden = true;
      button.disabled = false;
      return;
    }
    progress.value = 100;
    button.disabled = false;
    if (last?.url && last.version) {
      // A new version: show the document with its new history.
      window.location.assign(last.url);
      return;
    }
    form.reset();
    status.textContent = interpolate(
      ngettext("%(count)s document uploaded.", "%(count)s documents uploaded.", files.length),
      { count: files.length },
    );
    refreshList();
  });
}

// --- the list, live -------------------------------------------------------------------

const list = document.querySelector("[data-document-list]");
let refreshing = null;
let again = false;

async function refreshList() {
  if (!list) return;
  if (refreshing) {
    // Events that arrive during a refresh ask for one more.
    again = true;
    return;
  }
  refreshing = (async () => {
    try {
      list.innerHTML = (await fetchFragment(window.location.href)).html;
    } catch (error) {
      list.dataset.refreshError = String(error);
      const notice = document.createElement("p");
      notice.className = "notice small";
      notice.textContent = gettext("The list could not be refreshed: reload the page to see the latest documents.");
      list.prepend(notice);
    } finally {
      refreshing = null;
      if (again) {
        again = false;
        refreshList();
      }
    }
  })();
}

if (list) {
  document.addEventListener("workspace:event", (event) => {
    const type = event.detail?.type ?? "";
    if (type.startsWith("document.") || type === "resync") refreshList();
  });
}

// --- a document's preview, drawn in the background ------------------------------------

const preview = document.querySelector("[data-preview-of]");

if (preview) {
  document.addEventListener("workspace:event", async (event) => {
    const { type, data } = event.detail ?? {};
    if (type !== "document.preview_ready" && type !== "resync") return;
    if (type !== "resync" && String(data?.document) !== preview.dataset.previewOf) return;
    try {
      const fresh = document.createElement("template");
      fresh.innerHTML = (await fetchFragment(window.location.pathname)).html;
      const part = fresh.content.querySelector("[data-preview-of]");
      if (part) preview.replaceChildren(...part.childNodes);
    } catch (error) {
      // The page's note says to reload; the next event tries again.
      console.warn("preview refresh failed", error);
    }
  });
}

for (const form of document.querySelectorAll("form[data-upload-form]")) enhance(form);
