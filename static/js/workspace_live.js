// Workspace pages: follow the page's workspace stream and hand each event to the page
// as a `workspace:event` DOM event (detail: the frame), so every tab's script
// (activity, documents, tasks) re-fetches what it shows. A lost subscription
// (the person was removed) reloads the page, which then answers "not found".

import { live, showConnectionState } from "./live.js";

const root = document.querySelector("[data-workspace-stream]");

if (root) {
  const connection = live();
  showConnectionState(connection);
  const announce = (frame) => {
    document.dispatchEvent(new CustomEvent("workspace:event", { detail: frame }));
  };
  connection.subscribe(root.dataset.workspaceStream, null, {
    onEvent: announce,
    // Events were missed: pages re-fetch as if one had arrived.
    onResync: (frame) => announce({ ...frame, type: "resync" }),
    onError() {
      window.location.reload();
    },
  });
}
