"""First-person narration -> second person, plus the small text helpers the composer needs.

A user's memory is written as "I ate alone for weeks after my friends moved tables"; the
composer retells it to them as "you ate alone for weeks after your friends moved tables".
The shift is rule-based and deterministic:

* I/me/my/mine/myself and we/us/our/ours/ourselves become the matching second person
  ("we" and "us" become "you": natural, and it keeps the retelling short);
* the verb agrees: "I am/was/wasn't" -> "you are/were/weren't", also inverted
  ("was I" -> "were you") in questions and after what/why/how/so/neither/nor;
* contractions keep their apostrophe style, straight or curly: "I'm" -> "you're";
* "my sister and I" -> "you and your sister" (only where it is clearly a subject);
* the idiom "between you and me" is dropped (it would read "between you and you");
* quoted speech, in straight or curly, double or single quotes, is never changed;
* the first letter of a sentence keeps its capital ("I" -> "You" only at a sentence start).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "QUOTE_RE",
    "has_first_person",
    "map_outside_quotes",
    "split_sentences",
    "strip_quotes",
    "to_second_person",
]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CURLY_APOSTROPHE = "\u2019"

# Quoted speech. Single quotes must open at a word start and close at a word end, so the
# apostrophes in "don't" or "the kids' bikes" are never taken for quotes.
QUOTE_RE = re.compile(
    r'"[^"\n]*"'
    r"|“[^”\n]*”"
    r"|(?<![\w'\u2019])\u2018(?=\S)[^\n]{0,300}?(?<=\S)\u2019(?!\w)"
    r"|(?<![\w'\u2019])'(?=[^\W\d_])[^\n]{0,300}?(?<=[\w.!?,])'(?!\w)"
)
_WORD = r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*"
_TOKEN_RE = re.compile(rf"(?P<quote>{QUOTE_RE.pattern})|(?P<word>{_WORD})|(?P<other>\s+|.)", re.S)

_SIMPLE: dict[str, str] = {
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "we're": "you're",
    "we've": "you've",
    "we'd": "you'd",
    "we'll": "you'll",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "ourself": "yourself",
}
_I_FORMS: dict[str, str] = {
    "i": "you",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
}
_BE_AFTER_I: dict[str, str] = {
    "was": "were",
    "wasn't": "weren't",
    "wasnt": "werent",
    "am": "are",
}
_ADVERBS = _set(
    "never really just also still always only even actually truly certainly already "
    "honestly simply definitely probably clearly finally myself too then once suddenly"
)
_INVERSION_TRIGGERS = _set("what why how where who whom so neither nor than as")
_ROMAN_CONTEXT = _set("War Part Chapter Type Phase Stage Grade Act Volume Level Class")
_MINE_NOUN_BEFORE = _set("a the coal gold salt land diamond copper silver tin iron old abandoned")
_MINE_NOUN_AFTER = _set(
    "shaft shafts field fields worker workers owner owners collapse accident site entrance"
)
_SENTENCE_END = frozenset(".!?…")

_BYAM_RE = re.compile(r"(,\s*)?\b([Bb]etween you and me)\b(\s*,\s*)?")
_AND_I_RE = re.compile(
    r"(?P<pre>^|(?<=[.!?,;:]\s)|\b(?:[Ww]hen|[Ww]hile|[Bb]ecause|[Tt]hat|[Tt]hen|[Bb]ut|[Ss]o"
    r"|[Ii]f|[Oo]nce|[Tt]hough|[Aa]lthough)\s+)"
    r"(?P<np>(?:[Mm]y|[Oo]ur)\s+"
    r"(?:(?:little|big|older|younger|elder|best|old|baby|twin|late|new|two|three)\s+)?"
    r"[^\W\d_]+(?:-[^\W\d_]+)?(?:['\u2019]s\s+[^\W\d_]+)?)"
    r"\s+and\s+I\b(?!['\u2019])"
)
_ABBREVIATIONS = _set("mr mrs ms dr st prof jr sr vs etc no mt ft")
_BOUNDARY_RE = re.compile(r"[.!?…]+[\"”\u2019')\]]*\s+(?=[\"“\u2018'(\[]?[A-Z0-9À-Ý])")


def map_outside_quotes(text: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to every stretch of ``text`` that is not quoted speech."""
    out: list[str] = []
    last = 0
    for m in QUOTE_RE.finditer(text):
        out.append(fn(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(fn(text[last:]))
    return "".join(out)


def strip_quotes(text: str) -> str:
    """``text`` with quoted speech blanked out (used to check what lies outside quotes)."""
    return QUOTE_RE.sub(" ", text)


def has_first_person(text: str) -> bool:
    """Whether ``text`` has a first-person pronoun outside quoted speech."""
    return to_second_person(text) != text


def split_sentences(text: str) -> list[str]:
    """Split into sentences, never inside quoted speech or after "Mr."/"Dr."/an initial."""
    quotes = [(m.start(), m.end()) for m in QUOTE_RE.finditer(text)]
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        end = m.end()
        if any(s < m.start() < e and end <= e for s, e in quotes):
            continue
        before = text[start : m.start()].rsplit(None, 1)
        last_word = before[-1] if before else ""
        bare = last_word.lstrip("(\"'“\u2018").lower()
        if text[m.start()] == "." and (
            bare in _ABBREVIATIONS or (len(bare) == 1 and bare.isalpha() and last_word != "I")
        ):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _norm(word: str) -> str:
    return word.lower().replace(_CURLY_APOSTROPHE, "'")


def _apostrophe_like(source: str, replacement: str) -> str:
    """``replacement`` with the apostrophe style (straight or curly) of ``source``."""
    return (
        replacement.replace("'", _CURLY_APOSTROPHE) if _CURLY_APOSTROPHE in source else replacement
    )


def _match_case(source: str, replacement: str) -> str:
    if len(source) > 1 and source.isupper():
        return replacement.upper()
    if source[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _drop_between_you_and_me(segment: str) -> str:
    def repl(m: re.Match[str]) -> str:
        comma_before = m.group(1) is not None
        comma_after = m.group(3) is not None and "," in m.group(3)
        head = segment[: m.start()].rstrip()
        at_start = not head or head[-1] in _SENTENCE_END
        if comma_before and comma_after:
            return " "
        if (at_start and comma_after) or comma_before:
            return ""
        return "between the two of you"

    return _BYAM_RE.sub(repl, segment)


def _reorder_and_i(segment: str) -> str:
    def repl(m: re.Match[str]) -> str:
        np = m.group("np")
        return f"{m.group('pre')}I and {np[:1].lower()}{np[1:]}"

    return _AND_I_RE.sub(repl, segment)


class _Walker:
    """One left-to-right pass over the tokens of a text, rewriting pronouns in place."""

    def __init__(self, text: str, sentence_start: bool) -> None:
        self.kinds: list[str] = []
        self.values: list[str] = []
        for m in _TOKEN_RE.finditer(text):
            kind = m.lastgroup or "other"
            self.kinds.append(kind)
            self.values.append(m.group(0))
        self.out = list(self.values)
        self.sentence_start = sentence_start

    def prev_word(self, i: int) -> int | None:
        """Index of the word right before token ``i`` (only spaces between), else None."""
        j = i - 1
        if j >= 0 and self.kinds[j] == "other" and self.values[j].isspace():
            j -= 1
        return j if j >= 0 and self.kinds[j] == "word" else None

    def next_word(self, i: int) -> int | None:
        j = i + 1
        if j < len(self.kinds) and self.kinds[j] == "other" and self.values[j].isspace():
            j += 1
        return j if j < len(self.kinds) and self.kinds[j] == "word" else None

    def at_sentence_start(self, i: int) -> bool:
        j = i - 1
        while j >= 0 and self.kinds[j] == "other" and self.values[j].isspace():
            if "\n" in self.values[j]:
                return True
            j -= 1
        if j < 0:
            return self.sentence_start
        value = self.values[j]
        if self.kinds[j] == "quote":
            return len(value) >= 2 and value[-2] in _SENTENCE_END
        return self.kinds[j] == "other" and value in _SENTENCE_END

    def ends_with_question(self, i: int) -> bool:
        for j in range(i + 1, len(self.kinds)):
            if self.kinds[j] == "other" and self.values[j] in _SENTENCE_END:
                return self.values[j] == "?"
        return False

    def run(self) -> str:
        for i, kind in enumerate(self.kinds):
            if kind != "word":
                continue
            word = self.values[i]
            norm = _norm(word)
            if norm in _I_FORMS and (word[0] == "I" or self.is_lowercase_i(i, norm)):
                self.shift_i(i, word, norm)
            elif norm in _SIMPLE:
                self.shift_simple(i, word, norm)
        return "".join(self.out)

    def is_lowercase_i(self, i: int, norm: str) -> bool:
        if norm != "i":
            return norm != "im"
        nxt = i + 1
        return not (nxt < len(self.values) and self.values[nxt] == ".")

    def shift_i(self, i: int, word: str, norm: str) -> None:
        before = self.prev_word(i)
        if norm == "i" and before is not None and self.values[before] in _ROMAN_CONTEXT:
            return  # "World War I", "Stage I"
        replacement = _apostrophe_like(word, _I_FORMS[norm])
        if word.isupper() and len(word) > 1:
            replacement = replacement.upper()
        if norm == "i" and before is not None and self.inverted(before):
            verb = self.values[before]
            self.out[before] = _apostrophe_like(verb, _match_case(verb, _BE_AFTER_I[_norm(verb)]))
            self.out[i] = replacement
            return
        if self.at_sentence_start(i):
            replacement = replacement[:1].upper() + replacement[1:]
        self.out[i] = replacement
        if norm == "i":
            self.agree_verb_after(i)

    def inverted(self, verb_index: int) -> bool:
        verb = _norm(self.values[verb_index])
        if verb not in _BE_AFTER_I:
            return False
        trigger = self.prev_word(verb_index)
        if trigger is not None and self.values[trigger].lower() in _INVERSION_TRIGGERS:
            return True
        return self.at_sentence_start(verb_index) or self.ends_with_question(verb_index)

    def agree_verb_after(self, i: int) -> None:
        j = self.next_word(i)
        skipped = 0
        while j is not None and self.values[j].lower() in _ADVERBS and skipped < 2:
            j = self.next_word(j)
            skipped += 1
        if j is None:
            return
        verb = self.values[j]
        norm = _norm(verb)
        if norm in _BE_AFTER_I:
            self.out[j] = _apostrophe_like(verb, _match_case(verb, _BE_AFTER_I[norm]))

    def shift_simple(self, i: int, word: str, norm: str) -> None:
        if word == "US":
            return
        if norm == "mine" and self.mine_is_a_noun(i):
            return
        self.out[i] = _apostrophe_like(word, _match_case(word, _SIMPLE[norm]))

    def mine_is_a_noun(self, i: int) -> bool:
        before = self.prev_word(i)
        after = self.next_word(i)
        return (before is not None and self.values[before].lower() in _MINE_NOUN_BEFORE) or (
            after is not None and self.values[after].lower() in _MINE_NOUN_AFTER
        )


def to_second_person(text: str, *, sentence_start: bool = True) -> str:
    """Retell first-person ``text`` in the second person, leaving quoted speech untouched.

    ``sentence_start=False`` when the text will be embedded mid-sentence ("Remember when
    ..."): a leading "I" then becomes "you", not "You".
    """
    prepared = map_outside_quotes(text, lambda s: _reorder_and_i(_drop_between_you_and_me(s)))
    return _Walker(prepared, sentence_start).run()
