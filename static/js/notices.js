// Telling people what went wrong: nothing a script tried and failed is kept quiet.
// Each message is an alert (read out by screen readers at once), styled like the
// server's own messages, and the page stays usable around it.

/**
 * Show `message` at the top of the page content, in place of an earlier alert of
 * the same `key` (a failure that repeats shows once).
 */
export function showAlert(message, key) {
  const main = document.querySelector("main") ?? document.body;
  let region = main.querySelector(":scope > [data-alerts]");
  if (!region) {
    region = document.createElement("div");
    region.className = "messages";
    region.dataset.alerts = "";
    main.prepend(region);
  }
  region.querySelector(`[data-alert="${key}"]`)?.remove();
  const alert = document.createElement("p");
  alert.className = "message message--error";
  alert.setAttribute("role", "alert");
  alert.dataset.alert = key;
  alert.textContent = message;
  region.append(alert);
}

/** Remove the alert of `key`, once what failed worked again. */
export function clearAlert(key) {
  document.querySelector(`[data-alerts] > [data-alert="${key}"]`)?.remove();
}

/** Show why something started from `form` failed, above it (replacing an earlier reason). */
export function showFormError(form, message) {
  form.querySelector(":scope > .form-errors")?.remove();
  const errors = document.createElement("div");
  errors.className = "form-errors";
  errors.setAttribute("role", "alert");
  errors.textContent = message;
  form.prepend(errors);
}

/**
 * The message to show for a failed fetch: the server's own refusal (`{"error": ...}`
 * with 403 or 404) when it gave one, else `fallback`.
 */
export async function failureMessage(response, fallback) {
  if (response && (response.status === 403 || response.status === 404)) {
    // Not the JSON refusal of an endpoint (a proxy's page, say): `fallback`.
    const body = await response.json().catch(() => null);
    if (typeof body?.error === "string" && body.error) return body.error;
  }
  return fallback;
}
