// Community page: announce threads started since the page was rendered.

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
      if (frame.data.kind !== "discussion") return;
      started += 1;
      const label = started === 1 ? link.dataset.labelOne : link.dataset.labelMany;
      link.textContent = label.replace("{count}", String(started));
      bar.hidden = false;
    },
    onError() {
      window.location.reload();
    },
  });
}
