"""Tag input, one way for every tag set: expertise, competences, interests, themes, thread tags."""

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TAG_MAX_LENGTH = 50


def tag_names_clean(value, *, max_count, max_length=TAG_MAX_LENGTH, lowercase=True):
    """Tag names from a comma-separated string or an iterable: whitespace tidied,
    case-insensitive duplicates dropped (first spelling kept), order kept.

    Raises ValidationError listing every problem (too many, too long, no letters).
    """
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    names, seen = [], set()
    for part in parts:
        name = " ".join(str(part).split())
        if lowercase:
            name = name.lower()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    problems = []
    if len(names) > max_count:
        problems.append(
            ValidationError(
                ngettext(
                    "Use at most %(count)d tag.",
                    "Use at most %(count)d tags.",
                    max_count,
                )
                % {"count": max_count},
                code="too_many_tags",
            )
        )
    for name in names:
        if len(name) > max_length:
            problems.append(
                ValidationError(
                    _("“%(name)s” is too long: a tag has at most %(max)d characters.")
                    % {"name": name[:30] + "…", "max": max_length},
                    code="tag_too_long",
                )
            )
        elif not slugify(name, allow_unicode=True):
            problems.append(
                ValidationError(
                    _("“%(name)s” needs at least one letter or digit.")
                    % {"name": name},
                    code="tag_without_letters",
                )
            )
    if problems:
        raise ValidationError(problems)
    return names
