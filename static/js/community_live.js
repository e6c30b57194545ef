// Community page: announce threads started (or moved here) since the page was
// rendered; threads moved away or merged leave the list, renamed ones change title.

import { interpolate, ngettext } from "./i18n.js";
import { live, showConnectionState } from "./live.js";

const section = document.querySelector("[data-community-stream]");
const bar = section?.querySelector("[data-new-threads]");
const link = bar?.querySelector("a");

if (section && link) {
  const connection = live();
  showConnectionState(connection);
  let started = 0;
  connection.subscribe(section.dataset.communityStream, null, {
    onEvent(frame) {
      const id = Number(frame.data?.id);
      const row = Number.isInteger(id) ? section.querySelector(`[data-thread-row="${id}"]`) : null;
      // Moved away or merged into another thread: it leaves this list at once.
      if (frame.type === "thread.moved_out" || frame.type === "thread.merged") {
        row?.remove();
        return;
      }
      if (frame.type === "thread.renamed") {
        const title = row?.querySelector(".row-main__title");
        if (title && typeof frame.data?.title === "string") title.textContent = frame.data.title;
        return;
      }
      if (frame.type !== "thread.created" && frame.type !== "thread.moved_in") return;
      if (frame.data?.kind !== "discussion") return;
      started += 1;
      link.textContent = interpolate(
        ngettext("%(count)s new thread: show it", "%(count)s new threads: show them", started),
        { count: started },
      );
      bar.hidden = false;
    },
    onError() {
      window.location.reload();
    },
  });
}
