// Community page: announce threads started since the page was rendered.

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
      if (frame.type !== "thread.created") return;
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
