// The workspace pages' protocol with their scripts: a page's live fragment is asked
// for with `X-Requested-With: fetch` and comes as JSON `{"html": ..., ...}`; actions
// sent with `Accept: application/json` refuse with
// `{"errors": {field or "__all__": [messages]}, "code": ...}`.

/** The JSON of `url`'s fragment; throws (with `status`) when the answer is not OK. */
export async function fetchFragment(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  });
  if (!response.ok) {
    const error = new Error(`HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

/** The messages of an action's JSON refusal, as one sentence (or `fallback`). */
export function errorText(answer, fallback) {
  const errors = answer?.errors ?? {};
  return Object.values(errors).flat().join(" ") || fallback;
}
