"""The offline grounded composer: a short personalized analogy, without any language model.

``compose`` retells the user's best-matching memory to them in the second person, names
what it shares with the other person's situation (appraisal and emotions, in plain words),
maps it onto that person and closes with an invitation to imagine their side. Every word
is either template wording (``templates.py``) or a faithful excerpt of the memory and the
target description, so the result is grounded by construction. It is deterministic: the
template variant comes from a SHA-256 of the target text and the memory id.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from services.generator import templates as T
from services.generator.pronouns import (
    has_first_person,
    split_sentences,
    to_second_person,
)

__all__ = [
    "MAX_WORDS",
    "Composition",
    "MemoryForComposer",
    "Persona",
    "SharedAppraisal",
    "TargetForComposer",
    "compose",
]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


MAX_WORDS: dict[str, int] = {"short": 90, "medium": 180}

Length = Literal["short", "medium"]
Tone = Literal["gentle", "direct"]

LOW_POLE = 0.4  # polar dimensions (controllability, pleasantness) below this in both: low pole
HIGH_POLE = 0.6  # ... at or above this in both: high pole
TOP_VALUE = 0.6  # a Schwartz value frames the analogy only from this weight up


@dataclass(frozen=True)
class SharedAppraisal:
    name: str  # an APPRAISAL_DIMENSIONS key
    target: float  # score in the other person's situation, 0..1
    memory: float  # score in the user's memory, 0..1


@dataclass(frozen=True)
class MemoryForComposer:
    experience_id: str
    text: str  # the user's own first-person narration
    title: str | None
    shared_emotions: tuple[str, ...]  # EMOTIONS names both share, strongest first
    shared_appraisal: tuple[SharedAppraisal, ...]  # dimensions high in both, strongest first
    theme: str  # THEMES key of the memory/target match


@dataclass(frozen=True)
class TargetForComposer:
    text: str  # the other person's situation, usually in the third person
    who: str | None  # "my colleague Ana", "my son", None
    theme: str
    dominant_emotions: tuple[str, ...]


@dataclass(frozen=True)
class Persona:
    """Big Five traits in [0, 1] (None = unknown) and Schwartz values name -> weight in [0, 1]."""

    openness: float | None = None
    conscientiousness: float | None = None
    extraversion: float | None = None
    agreeableness: float | None = None
    neuroticism: float | None = None
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Composition:
    analogy: str
    bridge: str  # one sentence linking the user's memory to the other person's situation
    used_experience_ids: tuple[str, ...]
    template_id: str  # "<family>.v<variant>.<tone>.<length>", for metrics and debugging


# --- word lists -------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_WHEN_RE = re.compile(
    r"^\s*(?:(?:back\s+)?when|(?:the|that)\s+time\s+(?:that\s+|when\s+)?"
    r"(?!(?:of|in|on|at|for|to|with|after|before|between|from|is|was)\b))\s+",
    re.I,
)
_COMPLETE_RE = re.compile(
    r",\s+(?:I|[Ww]e|[Mm]y|[Oo]ur|[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Tt]he|[Hh]is|[Hh]er|[Tt]heir"
    r"|[Ee]veryone|[Nn]obody|[Ss]omeone|[Tt]here|[Aa]n?)\b"
)
_ABBREV_END_RE = re.compile(r"(?:\b[a-zA-Z]\.){2,}$|\b(?:Mr|Mrs|Ms|Dr|St|Prof|Jr|Sr|etc)\.$")

# First words that can safely be lowercased when a sentence is embedded after a colon.
_LOWERABLE = _set(
    """you your yours yourself yourselves the a an this that these those every each one two
    three some all no nobody none someone somebody everyone everybody it its there he she
    they his her their him them after before during at in on for from by with without about
    over under until halfway when whenever while once since as because then back last just
    still even only so but and or if not both another other most many few what how why where
    who later finally years months weeks days sometimes four five six seven eight nine ten
    eleven twelve twenty thirty forty fifty hundred"""
)
_ING_NOT_GERUND = _set(
    """during nothing something everything anything morning evening spring king thing wedding
    building ceiling string sibling darling pudding according including regarding concerning
    considering notwithstanding beijing nanjing kunming chongqing darjeeling"""
)
_PAST_IRREGULAR = _set(
    """was were wasn't weren't had hadn't did didn't could couldn't would wouldn't went came
    saw felt left told said got made took gave ate ran lost found thought knew sat stood
    kept brought bought heard met paid spent sent broke fell forgot wrote won wore hid held
    began drove rode flew threw grew drew sang swam caught taught fought became spoke stole
    woke shook chose froze hung led lent slept swept wept dug fed fled bit understood
    overheard mistook sold burnt learnt dreamt meant built bent lit slid struck stuck sank
    rang sought tore swore blew knelt laid lay used"""
)
_ED_NOT_PAST = _set(
    """need feed bleed breed speed seed weed heed shed bed red wed proceed succeed exceed
    indeed embed hundred sacred naked wicked beloved ragged rugged kindred deed reed greed
    creed"""
)
_NAMES_IN_ED = _set("ahmed mohammed muhammed mehmed ted fred ned jed ed united")
_PRESENT_MARKERS = _set(
    """am is are 'm have has do does don't doesn't can can't keep keeps miss misses think
    thinks know knows want wants feel feels live lives still"""
)
_SKIP_ADVERBS = _set(
    """just still never always finally really once only also even actually suddenly then first
    accidentally"""
)
_CONJUNCTIONS = _set(
    "and but because so while when until after before though although since as then where "
    "which who or"
)
_PREPOSITIONS = _set(
    """in at on from to for with after before during about into near outside inside behind
    across through without between under over"""
)
_DANGLING = _set("the a an of to and or but so your my with in on at for his her their its that")
_PLURAL_NOUNS = _set("children people kids men women parents friends family")

# A when-clause glued to its main clause ("When I moved to Berlin nobody at work invited me"):
# a second subject and a finite verb after the when-clause's own verb.
_SUBJECT_PRONOUNS = _set("i we he she they")
_SUBJECT_QUANTIFIERS = _set("nobody everyone everybody someone somebody nothing everything")
_NP_STARTERS = _set("my our his their the")
_OBJECT_PRONOUNS = _set("me him her us them you it")
# Verbs that take a clause ("realised my friend had ...", "told me she ..."): no split after.
_CLAUSE_VERBS = _set(
    """realised realized found learned learnt heard saw knew thought noticed discovered
    understood felt said decided remembered forgot believed hoped feared guessed admitted
    promised explained wrote read sensed figured suspected assumed worried wondered
    accepted agreed announced argued meant imagined pretended insisted claimed confessed
    replied answered asked told showed warned reminded assured convinced taught informed
    that if whether which who whom whose"""
)
_OBJECT_CLAUSE_VERBS = _set(
    "told showed warned reminded assured convinced taught informed promised asked"
)
_NO_SPLIT_AFTER = (
    _CONJUNCTIONS
    | _PREPOSITIONS
    | _set("of to the a an my our your his her their its this that these those very so too not")
)
_FINITE = _set(
    """is are am has have does do don't doesn't can can't will won't should might must
    isn't aren't haven't hasn't shouldn't"""
)
_INTRANSITIVE = _set(
    """died cried came went left laughed froze stayed slept wept collapsed fainted
    panicked screamed smiled arrived disappeared vanished stopped waited agreed refused
    listened answered called helped"""
)
_MODALS = _set("would could should might must will can did didn't couldn't wouldn't can't won't")
_THERE_VERBS = _set("was were wasn't weren't is are had")
_NOT_VERB_S = _set(
    """his this its hers as across towards afterwards besides unless whereas always sometimes
    perhaps yes thus plus us upstairs downstairs indoors outdoors overseas nowadays"""
)

# --- small text helpers -----------------------------------------------------------------


def _words(text: str) -> int:
    return len(text.split())


def _norm(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def _lower_first(text: str, *, gerund: bool = False) -> str:
    m = _WORD_RE.match(text)
    if not m:
        return text
    word = m.group(0)
    if _norm(word) in _LOWERABLE or (gerund and word.lower().endswith("ing")):
        return word.lower() + text[m.end() :]
    return text


def _strip_end(text: str) -> str:
    """Drop the final . ! ? … (and stray , ; :) unless it closes an abbreviation."""
    text = text.strip()
    while text and text[-1] in ".!?…,;:":
        if text[-1] == "." and _ABBREV_END_RE.search(text):
            break
        text = text[:-1].rstrip()
    return text


def _balanced(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("“") == text.count("”")


def _trim(text: str, max_words: int) -> str:
    """At most ``max_words`` words, cut at a clause boundary (else a phrase boundary, else
    a word boundary with an ellipsis), never mid-word nor inside quoted speech."""
    words = text.split()
    if len(words) <= max_words:
        return text
    floor = max(4, max_words // 3)
    for boundaries in (_CONJUNCTIONS, _PREPOSITIONS):
        for k in range(max_words, floor - 1, -1):
            last, nxt = words[k - 1], words[k]
            if _norm(last).strip(",;:") in _DANGLING:
                continue
            if last[-1] in ",;:" or nxt in ("—", "\u2013", "-") or nxt.lower() in boundaries:
                cut = " ".join(words[:k]).rstrip(",;:—\u2013- ")
                if _balanced(cut):
                    return cut
    for k in range(max_words, 0, -1):
        kept = words[:k]
        while len(kept) > 1 and kept[-1].lower().strip(",;:") in _DANGLING:
            kept = kept[:-1]
        cut = " ".join(kept).rstrip(",;:—\u2013- ")
        if _balanced(cut):
            return cut + "…"
    return words[0] + "…"


def _fill(frame: str, c: str, **fields: str) -> str:
    """``frame`` with ``{c}`` (and ``fields``) filled in, without doubling a final stop."""
    if c.endswith((".", "…", '"', "”")) and "{c}." in frame:
        frame = frame.replace("{c}.", "{c}")
    return frame.format(c=c, **fields)


def _join_clauses(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return ", and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def stable_index(*parts: str, modulo: int) -> int:
    """A deterministic index in ``range(modulo)`` (SHA-256, unlike the salted ``hash()``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % modulo


# --- the memory -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Retelling:
    kind: Literal["when", "gerund", "other"]
    lead: str  # the first sentence, second person, embeddable, without final punctuation
    rest: tuple[str, ...]  # the following sentences, second person, as written
    title: str | None


def _is_past(word: str) -> bool:
    w = _norm(word)
    return w in _PAST_IRREGULAR or (w.endswith("ed") and len(w) > 3 and w not in _ED_NOT_PAST)


def _past_narrative(sentence: str) -> bool:
    """'I ate ...', 'We moved ...', 'My boyfriend borrowed ...': fits 'Remember when ...?'."""
    words = [_norm(w) for w in _WORD_RE.findall(sentence)]
    if not words:
        return False
    if words[0] in ("my", "our"):
        for word in words[1:5]:
            if word in _PRESENT_MARKERS:
                return False
            if _is_past(word):
                return True
        return False
    if words[0] not in ("i", "we", "i'd", "we'd"):
        return False
    rest = [w for w in words[1:4] if w not in _SKIP_ADVERBS]
    return bool(rest) and _is_past(rest[0])


def _finite(word: str) -> bool:
    return word in _FINITE or _is_past(word)


def _main_clause_start(clause: str) -> int | None:
    """Where a main clause starts inside a when-clause written without its comma ("I moved
    to Berlin nobody at work invited me ..." -> at "nobody"), else None.

    A split needs: the when-clause's own finite verb before it; a subject (I/we/he/she/they,
    nobody/everyone/..., or my/our/his/their/the + noun) right after a word that can end a
    clause (not a conjunction, preposition, determiner, nor a verb taking a clause, as in
    "realised my friend had ..." or "told him she ..."); then a finite verb. After a common
    noun, where the subject could open a relative clause ("the man I would marry"), the
    verb must be intransitive or followed by more words, and the clause must not end on a
    preposition ("the house I grew up in")."""
    matches = list(_WORD_RE.finditer(clause))
    words = [_norm(m.group(0)) for m in matches]
    seen_verb = False
    for k in range(1, len(words)):
        seen_verb = seen_verb or _finite(words[k - 1])
        if not seen_verb or k < 2 or clause[matches[k - 1].end() : matches[k].start()].strip():
            continue
        prev, word = words[k - 1], words[k]
        if prev in _NO_SPLIT_AFTER or prev in _CLAUSE_VERBS:
            continue
        if prev in _OBJECT_PRONOUNS and words[k - 2] in _OBJECT_CLAUSE_VERBS:
            continue
        if word in _SUBJECT_PRONOUNS:
            if word == "i" and matches[k].group(0) != "I":
                continue
            window = range(k + 1, min(k + 4, len(words)))
            verb = next((j for j in window if words[j] not in _SKIP_ADVERBS), None)
            if verb is None or not _finite(words[verb]):
                continue
        elif word == "there":
            verb = k + 1
            if verb >= len(words) or words[verb] not in _THERE_VERBS:
                continue
        elif word in _SUBJECT_QUANTIFIERS or word in _NP_STARTERS:
            if word in _NP_STARTERS and _finite(prev) and prev not in _INTRANSITIVE:
                continue  # "met the man ...", "lost my job ...": the verb's object
            window = range(k + 1, min(k + 5, len(words)))
            verb = next((j for j in window if _finite(words[j])), None)
            between = set(words[k + 1 : verb] if verb is not None else ())
            if verb is None or between & (_CONJUNCTIONS | _SUBJECT_PRONOUNS):
                continue
            if word in _NP_STARTERS and verb == k + 1:
                continue
        else:
            continue
        proper = matches[k - 1].group(0)[:1].isupper()
        common_noun = not (
            proper or _finite(prev) or prev in _OBJECT_PRONOUNS or prev in _SKIP_ADVERBS
        )
        main = verb
        if words[verb] in _MODALS:  # "I would marry": the main verb comes later
            main += 1
            while main < len(words) - 1 and words[main] in _SKIP_ADVERBS | {"not", "have"}:
                main += 1
        if common_noun and (
            words[-1] in _PREPOSITIONS
            or (main >= len(words) - 1 and words[min(main, len(words) - 1)] not in _INTRANSITIVE)
        ):
            continue
        return matches[k].start()
    return None


def _classify(first: str) -> tuple[Literal["when", "gerund", "other"], str]:
    when = _WHEN_RE.match(first)
    if when:
        clause = first[when.end() :]
        if clause and not _COMPLETE_RE.search(clause):
            split = _main_clause_start(clause)
            if split is None:
                return "when", clause
            # a whole sentence: retell it after a colon, with the missing comma
            head = first[: when.end() + split].rstrip()
            return "other", head + ", " + first[when.end() + split :]
        return "other", first
    m = _WORD_RE.match(first)
    head = m.group(0).lower() if m else ""
    if len(head) >= 5 and head.endswith("ing") and head not in _ING_NOT_GERUND:
        return ("other" if _COMPLETE_RE.search(first) else "gerund"), first
    if _past_narrative(first):
        return "when", first
    if m and m.group(0)[:1].isupper() and _is_past(head) and head not in _NAMES_IN_ED:
        # a diary-style fragment without its subject: "Picked my son up from practice."
        return "when", "I " + head + first[m.end() :]
    return "other", first


def _retell(memory: MemoryForComposer) -> _Retelling:
    text = memory.text.strip() or (memory.title or "").strip()
    sentences = split_sentences(text)
    if not sentences:
        raise ValueError(f"memory {memory.experience_id!r} has no text")
    kind, clause = _classify(sentences[0])
    lead = _lower_first(
        _strip_end(to_second_person(clause, sentence_start=False)), gerund=kind == "gerund"
    )
    rest = tuple(to_second_person(s) for s in sentences[1:])
    title = _strip_end(to_second_person(memory.title.strip())) if memory.title else None
    return _Retelling(kind, lead, rest, title or None)


# --- the other person -------------------------------------------------------------------


@dataclass(frozen=True)
class _Ref:
    full: str  # first mention: "your colleague Ana"
    subj: str  # later mentions: "Ana", "they"
    obj: str
    poss: str  # in the bridge: "Ana's", "the other person's"
    plural: bool
    matches: tuple[str, ...]  # how the target text may name them as its subject


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") and not name[:1].isupper() else "'s")


def _parse_who(who: str | None) -> _Ref:
    text = (who or "").strip().rstrip(".,;:!?")
    if not text:
        subj, obj, _, plural = T.PRONOUN_REFS["they"]
        return _Ref(T.OTHER_PERSON, subj, obj, _possessive(T.OTHER_PERSON), plural, ())
    if text.lower() in T.PRONOUN_REFS:
        subj, obj, poss, plural = T.PRONOUN_REFS[text.lower()]
        return _Ref(obj, subj, obj, poss, plural, ())
    full = _lower_first(to_second_person(text, sentence_start=False))
    words = [w.strip(",") for w in full.split()]
    name_words: list[str] = []
    if words[0][:1].isupper() and _norm(words[0]) not in _LOWERABLE:
        name_words = full.split(",")[0].split()
    else:
        for word in reversed(words):
            if not word[:1].isupper() or _norm(word) in _LOWERABLE:
                break
            name_words.insert(0, word)
    name = " ".join(name_words)
    last = words[-1].lower()
    plural = " and " in full or (
        not name
        and (last in _PLURAL_NOUNS or (last.endswith("s") and not last.endswith(("ss", "us"))))
    )
    short = name or full
    matches = tuple(dict.fromkeys(m for m in (full, name) if m))
    return _Ref(full, short, short, _possessive(short), plural, matches)


def _verb_head(word: str, text: str) -> bool:
    """Whether ``word`` (normalised; ``text`` as written) can open a verb phrase."""
    if not text[:1].islower():
        return False
    if _finite(word):
        return True
    return (
        len(word) >= 3
        and word.endswith("s")
        and not word.endswith(("ss", "us", "'s"))
        and word not in _NOT_VERB_S
    )


def _verb_phrase_start(rest: str) -> int | None:
    """Where the verb phrase starts in what follows the person's name: 0 for "has been left
    out", after a short modifier for "from Brazil eats lunch alone" (a preposition or a
    name first, no comma or conjunction), else None ("and Tom ...", "from Brazil.")."""
    if rest.startswith(("'", "\u2019")):
        return None
    matches = list(_WORD_RE.finditer(rest))
    start: int | None = None  # where the current run of adverbs began
    for k, m in enumerate(matches[:7]):
        gap = rest[matches[k - 1].end() : m.start()] if k else rest[: m.start()]
        if gap.strip():
            return None
        word = _norm(m.group(0))
        if word in _CONJUNCTIONS or word in ("&", "that", "which"):
            return None
        prev = _norm(matches[k - 1].group(0)) if k else ""
        if word in _SKIP_ADVERBS:
            start = m.start() if start is None else start
            continue
        after_modifier = prev in _PREPOSITIONS or prev in _DANGLING
        if not after_modifier and _verb_head(word, m.group(0)):
            at = m.start() if start is None else start
            first_word = _norm(matches[0].group(0))
            if at and first_word not in _PREPOSITIONS and not matches[0].group(0)[:1].isupper():
                return None  # "young eats ...": not a modifier we can safely move
            return at
        start = None
    return None


def _target_sentence(target: TargetForComposer, ref: _Ref, lead: str, max_words: int) -> str:
    sentences = split_sentences(target.text.strip())
    if not sentences or max_words <= 0:
        return T.TARGET_BARE.format(lead=lead)
    first = sentences[0]
    if has_first_person(first):
        first = to_second_person(first)
    first = _strip_end(first)
    lowered = _norm(first)
    for candidate in ref.matches:
        size = len(candidate)
        if lowered.startswith(candidate.lower() + "'s "):  # "Ana's team ..." -> "whose team"
            rest = _strip_end(_trim(first[size + 3 :], max_words))
            return T.TARGET_WHOSE.format(lead=lead, rest=rest)
        if lowered.startswith(candidate.lower() + " "):
            rest = first[size + 1 :]
            split = _verb_phrase_start(rest)
            if split is not None:
                # "The new engineer from Brazil eats ..." -> "the new engineer from Brazil,
                # who eats ..."; a rest without a verb phrase falls through to the colon form
                named = " ".join([lead, rest[:split].strip()]).strip()
                relative = _strip_end(_trim(rest[split:], max_words))
                return T.TARGET_RELATIVE.format(lead=named, rest=relative)
    excerpt = _lower_first(_strip_end(_trim(first, max_words)))
    return _fill(T.TARGET_COLON, excerpt, lead=lead)


# --- appraisal, emotions, persona -------------------------------------------------------


def _pleasant(emotions: Sequence[str]) -> bool:
    """Whether the shared emotions make the memory a pleasant one (never to be called painful):
    more positive than negative ones, or a tie led by a positive one."""
    valenced = [e for e in emotions if e in T.POSITIVE_EMOTIONS or e in T.NEGATIVE_EMOTIONS]
    positives = sum(e in T.POSITIVE_EMOTIONS for e in valenced)
    if not positives:
        return False
    return positives * 2 > len(valenced) or (
        positives * 2 == len(valenced) and valenced[0] in T.POSITIVE_EMOTIONS
    )


@dataclass(frozen=True)
class _Appraisal:
    clause: str
    gist: str
    kind: Literal["specific", "painful", "theme"]  # "painful": only "it was painful"


def _appraisals(
    shared: Sequence[SharedAppraisal], positive: bool, pleasant: bool, theme: str, limit: int
) -> list[_Appraisal]:
    """The usable shared dimensions, specific ones first (strongest first), then the generic
    low-pleasantness one (never for a positive theme or a pleasant memory); else the
    theme's default wording."""
    specific: list[_Appraisal] = []
    painful: list[_Appraisal] = []
    for item in shared:
        if item.name not in T.APPRAISAL_PHRASES:
            continue
        high_phrase, low_phrase = T.APPRAISAL_PHRASES[item.name]
        high_gist, low_gist = T.APPRAISAL_GISTS[item.name]
        both_low = item.target < LOW_POLE and item.memory < LOW_POLE
        if item.name in T.POLAR_DIMENSIONS and both_low and low_phrase and low_gist:
            if item.name == "pleasantness":
                if not (positive or pleasant):
                    painful = [_Appraisal(low_phrase, low_gist, "painful")]
                continue
            found = _Appraisal(low_phrase, low_gist, "specific")
        elif both_low or (
            item.name in T.POLAR_DIMENSIONS and min(item.target, item.memory) < HIGH_POLE
        ):
            continue
        elif positive:
            found = _Appraisal(
                T.POSITIVE_APPRAISAL_PHRASES.get(item.name, high_phrase),
                T.POSITIVE_APPRAISAL_GISTS.get(item.name, high_gist),
                "specific",
            )
        else:
            found = _Appraisal(high_phrase, high_gist, "specific")
        if found not in specific:
            specific.append(found)
    found_all = (specific + painful)[:limit]
    if found_all:
        return found_all
    words = T.THEME_WORDS.get(theme, T.THEME_WORDS["neutral"])
    return [_Appraisal(words.phrase, words.gist, "theme")]


def _feel_line(
    frame: str,
    appraisals: Sequence[_Appraisal],
    positive: bool,
    pleasant: bool,
    pick: int,
    **fields: str,
) -> str:
    """The sentence naming the shared appraisal and feelings. Without a specific shared
    appraisal it names only the feelings, in varied generic wording: "painful" when only
    the unpleasantness is shared, neutral for a pleasant memory of a painful theme."""
    kinds = {a.kind for a in appraisals}
    generic: tuple[str, ...] = ()
    if kinds == {"painful"}:
        generic = T.GENERIC_FEEL["painful"]
    elif kinds == {"theme"} and pleasant and not positive:
        generic = T.GENERIC_FEEL["pleasant"]
    if generic:
        return generic[pick % len(generic)].format(**fields)
    return frame.format(appraisal=_join_clauses([a.clause for a in appraisals]), **fields)


def _feelings(emotions: Sequence[str], theme: str, limit: int) -> str:
    words: list[tuple[str, bool]] = []
    for name in emotions:
        entry = T.EMOTION_WORDS.get(name)
        if entry and entry not in words:
            words.append(entry)
    words = words[:limit]
    if not words:
        return T.THEME_WORDS.get(theme, T.THEME_WORDS["neutral"]).feelings
    texts = [word for word, _ in words]
    if len(texts) == 1:
        return texts[0]
    last_word, gradable = words[-1]
    last = f"a little {last_word}" if gradable else last_word
    return ", ".join(texts[:-1]) + " and " + last


def derive_tone(persona: Persona) -> Tone:
    """Gentle for anxious or very agreeable users, direct otherwise."""
    if (persona.neuroticism is not None and persona.neuroticism >= 0.6) or (
        persona.agreeableness is not None and persona.agreeableness >= 0.7
    ):
        return "gentle"
    return "direct"


def _value_clause(persona: Persona, positive: bool, themes: tuple[str, ...]) -> str | None:
    """One clause framed by the strongest value: the group's general wording, or its sharper
    wording when every theme in ``themes`` (memory's and target's) fits it."""
    best: tuple[float, int] | None = None
    for rank, name in enumerate(T.SCHWARTZ_VALUES):
        weight = persona.values.get(name)
        if weight is None or weight < TOP_VALUE:
            continue
        if best is None or weight > best[0]:
            best = (weight, rank)
    if best is None:
        return None
    group = T.VALUE_GROUP[T.SCHWARTZ_VALUES[best[1]]]
    for fitting, negative_clause, positive_clause in T.THEMED_VALUE_CLAUSES.get(group, ()):
        if all(theme in fitting for theme in themes):
            return positive_clause if positive else negative_clause
    negative_clause, positive_clause = T.VALUE_CLAUSES[group]
    return positive_clause if positive else negative_clause


# --- assembly ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    lead_words: int
    rest_words: int  # budget for the memory's following sentences (0 = none)
    target_words: int  # 0 = mention the person without an excerpt
    appraisals: int
    emotions: int
    second_words: int  # 0 = no second memory
    values: bool = True
    coda: bool = True


_SHORT_PLAN = _Plan(30, 0, 16, 2, 2, 0)
_MEDIUM_PLAN = _Plan(36, 30, 30, 3, 3, 20)
_SHORTER: tuple[dict[str, int | bool], ...] = (
    {"rest_words": 15},
    {"second_words": 12},
    {"rest_words": 0},
    {"second_words": 0},
    {"appraisals": 1},
    {"coda": False},
    {"values": False},
    {"lead_words": 22},
    {"target_words": 12},
    {"emotions": 1},
    {"lead_words": 14},
    {"target_words": 8},
    {"lead_words": 10},
    {"target_words": 0},
)


def _plans(length: Length) -> list[_Plan]:
    plan = _MEDIUM_PLAN if length == "medium" else _SHORT_PLAN
    plans = [plan]
    for change in _SHORTER:
        # each step only ever shrinks: a short plan never gains a second sentence
        shrunk = {name: min(getattr(plan, name), value) for name, value in change.items()}
        plan = replace(plan, **shrunk)
        if plan != plans[-1]:
            plans.append(plan)
    return plans


def _hard_fit(text: str, max_words: int) -> str:
    words = text.split()
    if len(words) <= max_words:
        return text
    return _trim(text, max_words - 1) if max_words > 1 else words[0]


def compose(
    target: TargetForComposer,
    memories: Sequence[MemoryForComposer],
    persona: Persona,
    *,
    length: Length = "short",
    tone: Tone | None = None,
) -> Composition:
    """Compose a grounded analogy from ``memories[0]`` (and ``memories[1]`` when medium)."""
    if not memories:
        raise ValueError("compose() needs at least one memory")
    if length not in MAX_WORDS:
        raise ValueError(f"unknown length {length!r}; expected one of {sorted(MAX_WORDS)}")
    if tone is not None and tone not in T.FELT:
        raise ValueError(f"unknown tone {tone!r}; expected 'gentle' or 'direct'")
    tone_ = tone or derive_tone(persona)
    best = memories[0]
    theme = best.theme if best.theme in T.THEME_WORDS else target.theme
    family = T.THEME_FAMILY.get(theme, T.GENERIC_FAMILY)
    variants = T.FAMILIES[family]
    index = stable_index(target.text, best.experience_id, modulo=len(variants))
    variant = variants[index]
    positive = family == "positive"
    max_words = MAX_WORDS[length]

    memory = _retell(best)
    second = None
    if length == "medium" and len(memories) > 1:
        also = memories[1]
        if also.text.strip() or (also.title or "").strip():
            second = _retell(also)
    ref = _parse_who(target.who)
    lead = variant.lead.format(ref_full=ref.full)
    close = variant.close.format_map(
        {"ref": ref.subj, "ref_obj": ref.obj, "is": T.IS_ARE[ref.plural]}
    )
    pleasant = _pleasant(best.shared_emotions)
    target_theme = target.theme if target.theme in T.THEME_WORDS else theme
    value = _value_clause(persona, positive, (theme, target_theme))
    pick = stable_index(target.text, best.experience_id, "feel", modulo=1 << 16)
    coda = T.GENTLE_CODA["positive" if positive else "negative"]

    analogy = ""
    used: tuple[str, ...] = ()
    for plan in _plans(length):
        parts: list[str] = []
        frame = T.RECALL_FRAMES[tone_][memory.kind][index]
        parts.append(_fill(frame, _trim(memory.lead, plan.lead_words)))
        budget = plan.rest_words
        for sentence in memory.rest:
            if _words(sentence) > budget:
                break
            parts.append(sentence)
            budget -= _words(sentence)
        appraisals = _appraisals(best.shared_appraisal, positive, pleasant, theme, plan.appraisals)
        parts.append(
            _feel_line(
                variant.feel,
                appraisals,
                positive,
                pleasant,
                pick,
                feelings=_feelings(best.shared_emotions, theme, plan.emotions),
                felt=T.FELT[tone_],
            )
        )
        if second is not None and plan.second_words:
            parts.append(_fill(T.ALSO_FRAMES[second.kind], _trim(second.lead, plan.second_words)))
        parts.append(_target_sentence(target, ref, lead, plan.target_words))
        if value and plan.values:
            parts.append(value)
        parts.append(close)
        if tone_ == "gentle" and plan.coda:
            parts.append(coda)
        analogy = " ".join(parts)
        used = (best.experience_id,)
        if second is not None and plan.second_words:
            used += (memories[1].experience_id,)
        if _words(analogy) <= max_words:
            break
    analogy = _hard_fit(analogy, max_words)

    return Composition(
        analogy=analogy,
        bridge=_bridge(memory, ref, target, best, positive, pleasant, theme),
        used_experience_ids=used,
        template_id=f"{family}.v{index}.{tone_}.{length}",
    )


def _bridge(
    memory: _Retelling,
    ref: _Ref,
    target: TargetForComposer,
    best: MemoryForComposer,
    positive: bool,
    pleasant: bool,
    theme: str,
) -> str:
    gists = [a.gist for a in _appraisals(best.shared_appraisal, positive, pleasant, theme, 2)]
    if len(gists) > 1 and _words(" ".join(gists)) > 10:
        gists = gists[:1]
    # Name the other person's situation by its theme only when the target and the memory
    # were read the same way: a theme read from one third-person sentence alone is too often
    # wrong ("Ana's experience of having done wrong") to be stated as fact.
    if target.theme == best.theme and target.theme in T.THEME_WORDS:
        situation = T.SITUATION_BY_THEME.format(situation=T.THEME_WORDS[target.theme].situation)
    else:
        situation = T.SITUATION_PLAIN
    excerpt = _strip_end(_trim(memory.lead, 12))
    if memory.kind == "when":
        template, text = T.BRIDGE, T.BRIDGE_WHEN.format(c=excerpt)
    elif memory.kind == "gerund":
        template, text = T.BRIDGE, excerpt
    elif memory.title:
        template, text = T.BRIDGE_TITLE, memory.title
    else:
        template, text = T.BRIDGE_DASHES, excerpt
    return template.format(
        memory=text, ref_poss=ref.poss, situation=situation, gist=" and ".join(gists)
    )
