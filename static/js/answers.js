// Accepted answers on a question's page: the answer highlighted, the summary under
// the first post and the "Solved" badge kept up to date from `thread.answered`
// events. Live post fragments are shared by every reader and carry no mark: the page
// marks its answer (the list's `data-answer`) on them, also when an edit replaces it.

import { gettext, interpolate } from "./i18n.js";

const list = document.querySelector("ol.posts[data-question]");

function markAnswer() {
  if (!list) return;
  const answer = list.dataset.answer;
  for (const item of list.querySelectorAll(".post[data-post]")) {
    const accepted = item.dataset.post === answer && !item.classList.contains("post--removed");
    item.classList.toggle("post--answer", accepted);
    // Whoever may accept does so from a page render: the accepted one offers no form.
    const form = item.querySelector("[data-accept-answer]");
    if (form) form.hidden = accepted;
  }
}

/** Show a `thread.answered` event: `data.answer` is the accepted post, or null. */
export function showAnswer(frame) {
  if (!list) return;
  const data = frame.data ?? {};
  const answer = Number.isInteger(data.answer) ? String(data.answer) : "";
  list.dataset.answer = answer;
  markAnswer();
  const summary = document.querySelector("[data-answer-summary]");
  const open = document.querySelector("[data-answer-open]");
  const solved = document.querySelector("[data-solved-badge]");
  const question = document.querySelector("[data-question-badge]");
  if (summary) summary.hidden = !answer;
  if (open) open.hidden = Boolean(answer);
  if (solved) solved.hidden = !answer;
  if (question) question.hidden = Boolean(answer);
  if (!answer || !summary) return;
  const link = summary.querySelector("[data-answer-link]");
  if (link) link.href = link.dataset.permalinkPattern.replace(/0\/$/, `${answer}/`);
  const text = summary.querySelector("[data-answer-text]");
  if (text && Number.isInteger(data.number)) {
    text.textContent = interpolate(gettext("Answered in post #%(number)s."), { number: data.number });
  }
}

if (list) {
  markAnswer();
  new MutationObserver(markAnswer).observe(list, { childList: true });
}
