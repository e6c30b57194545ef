"""Watched words: how a community's rules find words in a text (pure functions).

Matching is whole-word, case-insensitive and Unicode-aware:

- the text is read in NFC, and each word is compared in a folded form: NFKD, the
  combining marks (accents) dropped, case-folded, NFKC again. So "PERCHÉ", "perché"
  and "perche" are one word, and compatibility forms (full-width letters, the "ﬁ"
  ligature) count as their plain letters. Accents are folded on purpose: Italian
  writers often type "perche'" or "e'" for "perché" and "è", and a rule should not
  be dodged by leaving an accent out; the price is that a rule for "però" also
  matches "pero";
- words are runs of letters and digits: apostrophes (' ’ ‘ ʼ `), underscores,
  punctuation and spaces separate them, so Italian elisions ("l'idiota",
  "dell’idiota", "un'idiota") match "idiota", and "perche'" is the word "perche";
- a word inside another word never matches ("idiota" is not in "idiotamente");
- a rule of several words ("brutto idiota") matches those words in a row, whatever
  separates them.
"""

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Match", "censor", "find", "fold", "rule_words", "words"]

# Letters and digits of any script; everything else (apostrophes included) separates.
_WORD = re.compile(r"[^\W_]+")


def fold(text):
    """`text` as the matcher compares it: no accents, case-folded, NFKC."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", bare.casefold())


def words(text):
    """[(folded word, start, end)] of `text` (positions in `text` itself)."""
    return [(fold(found.group()), found.start(), found.end()) for found in _WORD.finditer(text)]


def rule_words(rule):
    """The folded words of a rule, as a tuple (empty when it has no letters)."""
    return tuple(word for word, _start, _end in words(unicodedata.normalize("NFC", rule)))


@dataclass(frozen=True)
class Match:
    rule: object  # what the caller gave with the words (a WatchedWord)
    start: int
    end: int


def find(text, rules):
    """Every match of `rules` ([(rule words tuple, rule)]) in `text` (read in NFC),
    in the order they occur; overlapping matches are all returned."""
    text = unicodedata.normalize("NFC", text)
    found = words(text)
    folded = [word for word, _start, _end in found]
    matches = []
    for index in range(len(found)):
        for sequence, rule in rules:
            if sequence and tuple(folded[index : index + len(sequence)]) == sequence:
                last = found[index + len(sequence) - 1]
                matches.append(Match(rule, found[index][1], last[2]))
    return matches


def censor(text, matches, replacement_of):
    """`text` (NFC) with each match replaced by `replacement_of(rule)`, or by as many
    asterisks as it has characters when that is empty. Overlaps: the first wins."""
    text = unicodedata.normalize("NFC", text)
    pieces = []
    position = 0
    for match in sorted(matches, key=lambda match: match.start):
        if match.start < position:
            continue
        pieces.append(text[position : match.start])
        pieces.append(replacement_of(match.rule) or "*" * (match.end - match.start))
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)
