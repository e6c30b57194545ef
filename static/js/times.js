// Times written absolute by the server (kept fragments, live fragments rendered once
// for everyone) said relative to now when recent, in the page's language.

import { pageLanguage } from "./i18n.js";

const relative = new Intl.RelativeTimeFormat(pageLanguage, { numeric: "auto" });

/** Each `time[data-relative]` under `root` less than a day old reads "3 hours ago";
 *  older ones keep their date. */
export function relativeTimes(root) {
  for (const time of root.querySelectorAll("time[data-relative]")) {
    const seconds = Math.round((new Date(time.getAttribute("datetime")) - Date.now()) / 1000);
    if (Math.abs(seconds) < 60) time.textContent = relative.format(0, "second");
    else if (Math.abs(seconds) < 3600) time.textContent = relative.format(Math.round(seconds / 60), "minute");
    else if (Math.abs(seconds) < 86400) time.textContent = relative.format(Math.round(seconds / 3600), "hour");
  }
}
