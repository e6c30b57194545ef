"""Italian dates: days without a leading zero, day and month names in lower case.

Django's Italian catalogue capitalises day and month names ("Sabato 28 Novembre"),
but Italian writes them in lower case in running text. The project's catalogue
(locale/it, which takes precedence over Django's) translates the names listed
below in lower case; listing them here keeps them through `makemessages`. A
heading that begins with a date capitalises it with `|capfirst`.
"""

from django.utils.translation import gettext_noop

DATE_FORMAT = "j F Y"  # 28 novembre 2026, as room.js writes its day separators
DATETIME_FORMAT = "l j F Y H:i"  # sabato 28 novembre 2026 14:30
MONTH_DAY_FORMAT = "j F"  # 28 novembre

DAY_NAMES = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)
MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
