// Live thread page: new replies, edits and deletions appear without a reload; replies
// are sent over the socket when it is connected (the form posts normally otherwise).

import { attachmentIds, attachmentsSent } from "./composer_attachments.js";
import { gettext, interpolate, ngettext, pageLanguage } from "./i18n.js";
import { overLimit } from "./length_limits.js";
import {
  fragmentHtml,
  keepAllowedActions,
  live,
  refusalMessage,
  showComposerError,
  showConnectionState,
  showRefusedPosts,
  viewerActions,
} from "./live.js";
import { relativeTimes } from "./times.js";
import { showMarkedPost, showThreadEvent } from "./moderation_live.js";
import { readMarker } from "./reading.js";
import { showAnswer } from "./answers.js";
import { settleReactions, showReactions } from "./reactions.js";

const list = document.querySelector("ol.posts[data-stream]");

if (list) {
  const connection = live();
  showConnectionState(connection);

  const threadId = Number(list.dataset.thread);
  const lang = pageLanguage;
  const me = document.body.dataset.userId ? Number(document.body.dataset.userId) : null;
  const onLastPage = list.hasAttribute("data-last-page");
  const bar = document.querySelector("[data-new-posts]");
  const barLink = bar?.querySelector("[data-new-posts-link]");
  const baseTitle = document.title;
  let unseen = [];
  // The page recorded its own posts as read; live posts shown on it are read too.
  const shownNumbers = () =>
    [...list.querySelectorAll("[data-number]")].map((item) => Number(item.dataset.number));
  const reader = list.dataset.readUrl
    ? readMarker(list.dataset.readUrl, Math.max(0, ...shownNumbers()))
    : null;

  const nearBottom = () =>
    window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 240;

  /** The shared fragment of a live post, with the actions the server gave this
   *  viewer (`frame.viewer.actions`) and times relative to now. */
  function fragment(html, frame) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const item = template.content.firstElementChild;
    keepAllowedActions(item, viewerActions(frame), ".post__actions");
    settleReactions(item, frame);
    relativeTimes(item);
    return item;
  }

  function renderUnseen() {
    document.title = unseen.length ? `(${unseen.length}) ${baseTitle}` : baseTitle;
    if (!bar || !barLink) return;
    bar.hidden = unseen.length === 0;
    const count = unseen.length;
    barLink.textContent = interpolate(ngettext("%(count)s new reply", "%(count)s new replies", count), {
      count,
    });
  }

  function markSeen() {
    if (unseen.length && nearBottom()) {
      unseen = [];
      renderUnseen();
    }
  }

  function showPost(frame) {
    const data = frame.data ?? {};
    const existing = list.querySelector(`[data-post="${data.id}"]`);
    const html = fragmentHtml(data, lang);
    if (existing) {
      if (html) existing.replaceWith(fragment(html, frame));
      showMarkedPost(list, frame, relativeTimes);
      return;
    }
    if (data.client_id) {
      list.querySelector(`[data-client-id="${data.client_id}"]`)?.remove();
    }
    const mine = me !== null && data.author?.id === me;
    if (onLastPage && html) {
      const wasAtBottom = nearBottom();
      list.querySelector(".empty-state")?.remove();
      list.append(fragment(html, frame));
      showMarkedPost(list, frame, relativeTimes);
      reader?.mark(Number(data.number));
      if (mine || wasAtBottom) {
        if (mine) list.lastElementChild.scrollIntoView({ block: "nearest" });
      } else {
        unseen.push(data.id);
      }
    } else if (!mine) {
      unseen.push(data.id);
    }
    renderUnseen();
  }

  connection.subscribe(list.dataset.stream, Number(list.dataset.seq), {
    onEvent(frame) {
      if (frame.type?.startsWith("post.")) showPost(frame);
      else if (frame.type === "thread.answered") showAnswer(frame);
      else if (frame.type?.startsWith("reaction.")) showReactions(list, frame);
      else if (frame.type?.startsWith("thread.")) {
        showThreadEvent(frame, { list, composer: document.querySelector("form[data-composer]") });
      }
    },
    onResync() {
      window.location.reload();
    },
    onError() {
      // Access was withdrawn: the page reload shows what the reader may still see.
      window.location.reload();
    },
  });

  window.addEventListener("scroll", markSeen, { passive: true });
  barLink?.addEventListener("click", (event) => {
    if (!onLastPage) return;
    event.preventDefault();
    const first = list.querySelector(`[data-post="${unseen[0]}"]`);
    first?.scrollIntoView({ behavior: "smooth", block: "start" });
    unseen = [];
    renderUnseen();
  });

  // Sending over the socket: the post shows as pending until its ack and its event.
  // Text over the limit stays in the composer: the counter's validity stops the form
  // before this handler runs, and this check keeps the socket from sending it even so.
  const composer = document.querySelector("form[data-composer]");
  const textarea = composer?.querySelector("textarea[name='body']");
  if (composer && textarea && onLastPage) {
    composer.addEventListener(
      "submit",
      (event) => {
        const body = textarea.value.trim();
        if (overLimit(textarea)) {
          event.preventDefault();
          event.stopImmediatePropagation();
          textarea.reportValidity();
          return;
        }
        const files = attachmentIds(composer);
        if (!connection.connected || !(body || files.length)) return; // the form posts as usual
        event.preventDefault();
        event.stopImmediatePropagation();
        const clientId = connection.post(threadId, body, files);
        if (!clientId) {
          showComposerError(composer, refusalMessage("too_large"));
          return;
        }
        attachmentsSent(composer);
        const pending = document.createElement("li");
        pending.className = "post post--pending";
        pending.dataset.clientId = clientId;
        const text = document.createElement("p");
        text.className = "post__placeholder";
        text.textContent = `${gettext("Sending…")} ${body.slice(0, 140)}`;
        pending.append(document.createElement("div"), text);
        list.append(pending);
        textarea.value = "";
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        composer.querySelector(".form-errors")?.remove();
      },
      { capture: true },
    );
    showRefusedPosts(connection, { list, composer, textarea });
  }
}
