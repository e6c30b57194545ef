// The page's language and its strings. Strings come from Django's JavaScript catalogue
// (/jsi18n/, domain djangojs), which base.html loads before the modules; should it
// fail to load, the English source strings show instead of nothing.
//
// Write every user-visible string of static/js as a literal call, so that
// `makemessages -d djangojs` finds it: gettext("Offline"),
// ngettext("%(count)s new reply", "%(count)s new replies", count),
// interpolate(gettext("%(name)s is typing…"), { name }).

const catalogue = window.django ?? {};

/** The language Django rendered the page in (`<html lang>`), for Intl and fragments. */
export const pageLanguage = document.documentElement.lang || undefined;

export function gettext(msgid) {
  return catalogue.gettext ? catalogue.gettext(msgid) : msgid;
}

export function ngettext(singular, plural, count) {
  if (catalogue.ngettext) return catalogue.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

/** Fill the %(name)s placeholders of `format` from `values`. */
export function interpolate(format, values) {
  return format.replace(/%\(\s*([^)]+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}
