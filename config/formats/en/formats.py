"""English dates: month names written out, as room.js writes its day separators."""

DATE_FORMAT = "F j, Y"  # November 28, 2026
