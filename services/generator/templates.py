"""The composer's wording: template families, appraisal and emotion phrases, value framings.

Everything here is template wording; the only other text a composition may contain comes
from the user's memory and the target description. Placeholders:

* ``{appraisal}``: shared appraisal as clauses ("people you counted on moved on without you")
* ``{feelings}``: shared emotions in plain words ("sad and a little embarrassed")
* ``{felt}``: "felt" (direct) or "may have felt" (gentle)
* ``{ref}``/``{ref_obj}``: the other person as subject/object ("Ana", "they"/"them")
* ``{ref_full}``: first mention ("your colleague Ana", "the other person")
* ``{is}``: "is" or "are", agreeing with ``{ref}``
* ``{c}``: an excerpt of the memory (recall frames only)
"""

from __future__ import annotations

from dataclasses import dataclass

# --- appraisal --------------------------------------------------------------------------

# Dimensions with two meaningful poles: both scores < LOW_POLE -> the low-pole wording.
POLAR_DIMENSIONS = frozenset({"controllability", "pleasantness"})

# Second-person clauses for the retelling, (high pole, low pole); None = no low pole.
APPRAISAL_PHRASES: dict[str, tuple[str, str | None]] = {
    "pleasantness": ("it felt genuinely good", "it was painful to live through"),
    "goal_obstruction": ("it blocked something you really wanted", None),
    "unexpectedness": ("it came out of nowhere", None),
    "self_responsibility": ("you felt it was your own doing", None),
    "other_responsibility": ("someone else had caused it", None),
    "circumstance_responsibility": ("it came down to circumstances nobody chose", None),
    "unfairness": ("it wasn't fair and nobody owned up to it", None),
    "controllability": (
        "you still had some say in how it went",
        "there was nothing you could do to change it",
    ),
    "norm_violation": ("a line was crossed that never should have been", None),
    "self_esteem_threat": ("it shook how you saw yourself", None),
    "social_exclusion": ("people you counted on moved on without you", None),
    "irrevocable_loss": ("something you valued was gone for good", None),
    "future_threat": ("you couldn't tell what would happen next", None),
    "intensity": ("it hit harder than anyone could see", None),
}
# Positive themes read some dimensions the other way round.
POSITIVE_APPRAISAL_PHRASES: dict[str, str] = {
    "unexpectedness": "it took you by surprise",
    "self_responsibility": "it came from your own effort",
    "other_responsibility": "someone else made it possible",
    "circumstance_responsibility": "luck was on your side",
    "controllability": "you had a real hand in how it went",
    "intensity": "it filled you up",
}

# Neutral noun phrases for the bridge sentence, (high pole, low pole).
APPRAISAL_GISTS: dict[str, tuple[str, str | None]] = {
    "pleasantness": ("real joy", "real pain"),
    "goal_obstruction": ("a goal that was blocked", None),
    "unexpectedness": ("a shock that came out of nowhere", None),
    "self_responsibility": ("the weight of self-blame", None),
    "other_responsibility": ("harm that someone else caused", None),
    "circumstance_responsibility": ("circumstances nobody chose", None),
    "unfairness": ("a sense of injustice", None),
    "controllability": ("a sense of still having some say", "a sense of helplessness"),
    "norm_violation": ("a line that was crossed", None),
    "self_esteem_threat": ("a blow to self-worth", None),
    "social_exclusion": ("the sting of being shut out by people who mattered", None),
    "irrevocable_loss": ("a loss that cannot be undone", None),
    "future_threat": ("the strain of not knowing what comes next", None),
    "intensity": ("feelings stronger than they looked", None),
}
POSITIVE_APPRAISAL_GISTS: dict[str, str] = {
    "unexpectedness": "a welcome surprise",
    "self_responsibility": "success earned by effort",
    "other_responsibility": "help that someone chose to give",
    "circumstance_responsibility": "a stroke of luck",
    "controllability": "a real sense of agency",
    "intensity": "a feeling bigger than words",
}

# --- emotions ---------------------------------------------------------------------------

# Plain words for "you felt ...", and whether "a little" can go before them.
EMOTION_WORDS: dict[str, tuple[str, bool]] = {
    "admiration": ("full of admiration", False),
    "amusement": ("amused", True),
    "anger": ("angry", True),
    "annoyance": ("annoyed", True),
    "approval": ("approving", True),
    "caring": ("protective", True),
    "confusion": ("confused", True),
    "curiosity": ("curious", True),
    "desire": ("full of longing", False),
    "disappointment": ("let down", True),
    "disapproval": ("disapproving", True),
    "disgust": ("disgusted", True),
    "embarrassment": ("embarrassed", True),
    "excitement": ("excited", True),
    "fear": ("afraid", True),
    "gratitude": ("grateful", True),
    "grief": ("heartbroken", False),
    "joy": ("happy", True),
    "love": ("full of love", False),
    "nervousness": ("anxious", True),
    "optimism": ("hopeful", True),
    "pride": ("proud", True),
    "realization": ("struck by a sudden realisation", False),
    "relief": ("relieved", True),
    "remorse": ("full of regret", False),
    "sadness": ("sad", True),
    "surprise": ("surprised", True),
}

# --- themes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeWords:
    phrase: str  # default appraisal clause when no shared dimension is usable
    gist: str  # default bridge gist
    feelings: str  # default feelings when no shared emotion is usable
    situation: str  # "<who>'s experience of <situation>" in the bridge (when trusted)


THEME_WORDS: dict[str, ThemeWords] = {
    "exclusion": ThemeWords(
        "people you counted on moved on without you",
        "the sting of being shut out by people who mattered",
        "left out and alone",
        "being left out",
    ),
    "irrevocable_loss": ThemeWords(
        "something you valued was gone for good", "a loss that cannot be undone", "sad", "loss"
    ),
    "demeaning_offense": ThemeWords(
        "someone treated you as if you counted for less",
        "being made to feel small",
        "angry and a little humiliated",
        "being belittled",
    ),
    "failing_ideal": ThemeWords(
        "you fell short of who you wanted to be",
        "falling short in front of others",
        "ashamed",
        "falling short",
    ),
    "transgression": ThemeWords(
        "you had hurt someone, and you knew it",
        "the weight of having done wrong",
        "guilty",
        "having done wrong",
    ),
    "uncertain_threat": ThemeWords(
        "you couldn't tell what would happen next",
        "the strain of not knowing what comes next",
        "anxious",
        "uncertainty",
    ),
    "immediate_danger": ThemeWords(
        "you were suddenly in danger", "a sudden fright", "frightened", "sudden danger"
    ),
    "betrayal": ThemeWords(
        "someone you trusted let you down",
        "trust that was broken",
        "let down and hurt",
        "broken trust",
    ),
    "frustration": ThemeWords(
        "things kept getting in the way of what you wanted",
        "being blocked at every turn",
        "frustrated",
        "being blocked at every turn",
    ),
    "contamination": ThemeWords(
        "you were close to something that repelled you",
        "a sense of revulsion",
        "disgusted",
        "disgust",
    ),
    "envy": ThemeWords(
        "someone else had what you wanted",
        "wanting what someone else has",
        "envious",
        "wanting what others have",
    ),
    "compassion": ThemeWords(
        "someone else's suffering moved you",
        "worry for someone who is suffering",
        "moved and worried",
        "worrying for someone else",
    ),
    "hope": ThemeWords(
        "you feared the worst but still hoped for better",
        "hoping against the odds",
        "hopeful and afraid",
        "hoping against the odds",
    ),
    "progress_toward_goal": ThemeWords(
        "you moved closer to something you wanted",
        "progress toward something wanted",
        "happy",
        "moving forward",
    ),
    "ego_enhancement": ThemeWords(
        "your effort earned real credit", "well-earned credit", "proud", "success"
    ),
    "relief": ThemeWords(
        "something heavy finally lifted", "a weight finally lifting", "relieved", "relief"
    ),
    "gratitude": ThemeWords(
        "someone gave you something good without having to",
        "the gift of someone's kindness",
        "grateful",
        "being helped",
    ),
    "affection": ThemeWords(
        "you felt close to someone who mattered",
        "closeness with someone who matters",
        "loved",
        "closeness",
    ),
    "neutral": ThemeWords(
        "it stayed with you longer than you expected",
        "a moment that stayed",
        "thoughtful",
        "this moment",
    ),
}

POSITIVE_THEMES = frozenset(
    {"progress_toward_goal", "ego_enhancement", "relief", "gratitude", "affection"}
)
# Themes with their own family; the positive themes share one; the rest use "generic".
THEME_FAMILY: dict[str, str] = {
    "exclusion": "exclusion",
    "irrevocable_loss": "irrevocable_loss",
    "demeaning_offense": "demeaning_offense",
    "failing_ideal": "failing_ideal",
    "transgression": "transgression",
    "uncertain_threat": "uncertain_threat",
    "betrayal": "betrayal",
    "frustration": "frustration",
    **{theme: "positive" for theme in POSITIVE_THEMES},
}
GENERIC_FAMILY = "generic"

# --- template families ------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    feel: str  # names the shared appraisal and feelings
    lead: str  # introduces the other person; must end with {ref_full}
    close: str  # invites the user to imagine the other person's side


_FEEL_BACK_THEN = "Back then, {appraisal}. You {felt} {feelings}."
_FEEL_BECAUSE = "You {felt} {feelings}, because {appraisal}."
_LEAD_THINK = "Now think of {ref_full}"
_LEAD_HAPPENING = "Something like that may be happening to {ref_full}"
_LEAD_TURN = "Now turn to {ref_full}"

FAMILIES: dict[str, tuple[Variant, ...]] = {
    "exclusion": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that feeling for a moment: it may be close to what {ref} {is} "
            "carrying right now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_HAPPENING,
            "Picture {ref_obj} standing where you stood, on the outside looking in.",
        ),
        Variant(
            "What stung was that {appraisal}. You {felt} {feelings}.",
            _LEAD_TURN,
            "That sense of being left on the outside may be exactly what {ref} {is} living "
            "with now.",
        ),
    ),
    "irrevocable_loss": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Stay with that ache for a moment; it may be close to what {ref} {is} carrying now.",
        ),
        Variant(
            "What made it so heavy was that {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Whatever {ref} {is} missing, it may ache the way yours did.",
        ),
        Variant(
            "You {felt} {feelings}, knowing that {appraisal}.",
            _LEAD_TURN,
            "Imagine carrying that quiet weight again, the way {ref} may be carrying it today.",
        ),
    ),
    "demeaning_offense": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that heat for a moment: it may be close to what {ref} {is} feeling "
            "right now.",
        ),
        Variant(
            "It stung because {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Imagine being on the receiving end of that again; that may be where {ref} {is} today.",
        ),
        Variant(
            "You {felt} {feelings}: {appraisal}.",
            _LEAD_TURN,
            "The way it made you feel smaller may be close to how {ref} {is} feeling now.",
        ),
    ),
    "failing_ideal": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that sinking feeling for a moment: it may be close to what {ref} {is} "
            "carrying right now.",
        ),
        Variant(
            "It weighed on you because {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Remember how much you wanted someone to see past that moment; {ref} may want the "
            "same now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That wish to have done better may be exactly what {ref} {is} living with now.",
        ),
    ),
    "transgression": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that weight for a moment: it may be close to what {ref} {is} carrying "
            "right now.",
        ),
        Variant(
            "It stayed with you because {appraisal}; you {felt} {feelings}.",
            "Something like that may be weighing on {ref_full}",
            "Remember how much you wanted a way to make it right; {ref} may be looking for the "
            "same.",
        ),
        Variant(
            "You {felt} {feelings}, knowing that {appraisal}.",
            _LEAD_TURN,
            "That knot of regret may be close to what {ref} {is} living with now.",
        ),
    ),
    "uncertain_threat": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that unease for a moment: it may be close to what {ref} {is} carrying "
            "right now.",
        ),
        Variant(
            "The hardest part was that {appraisal}; you {felt} {feelings}.",
            "Something like that may be hanging over {ref_full}",
            "Imagine waiting like that again, not knowing; that may be where {ref} {is} now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That unsettled waiting may be close to what {ref} {is} living with today.",
        ),
    ),
    "betrayal": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that hurt for a moment: it may be close to what {ref} {is} carrying "
            "right now.",
        ),
        Variant(
            "It cut deep because {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Remember how hard it was to trust again; {ref} may be facing the same question now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That sense of the ground giving way may be close to what {ref} {is} feeling now.",
        ),
    ),
    "frustration": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that frustration for a moment: it may be close to what {ref} {is} "
            "carrying right now.",
        ),
        Variant(
            "It wore you down because {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Imagine hitting that same wall again and again; that may be where {ref} {is} now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That worn-out, stuck feeling may be close to what {ref} {is} living with today.",
        ),
    ),
    "positive": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that glow for a moment: it may be close to what {ref} {is} feeling "
            "right now.",
        ),
        Variant(
            "It meant a lot because {appraisal}; you {felt} {feelings}.",
            "Something like that may be happening for {ref_full}",
            "Imagine that lift again; that may be what {ref} {is} feeling now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That warmth may be close to what {ref} {is} feeling today.",
        ),
    ),
    "generic": (
        Variant(
            _FEEL_BACK_THEN,
            _LEAD_THINK,
            "Hold on to that feeling for a moment: it may be close to what {ref} {is} "
            "feeling right now.",
        ),
        Variant(
            "It stayed with you because {appraisal}; you {felt} {feelings}.",
            _LEAD_HAPPENING,
            "Imagine being back there for a moment; that may be close to where {ref} {is} now.",
        ),
        Variant(
            _FEEL_BECAUSE,
            _LEAD_TURN,
            "That feeling may be close to what {ref} {is} living with today.",
        ),
    ),
}

# How the memory is retold, by tone and by the shape of its first sentence; one frame per
# variant. Kinds: "when" = a clause that follows "when" ("I ate alone ...", "When my father
# didn't ..."); "gerund" = "Ringing my best friend ..."; "other" = a noun phrase or any
# other sentence, which only fits after a colon.
RECALL_FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "direct": {
        "when": ("Remember when {c}?", "Think back to when {c}.", "Go back to when {c}."),
        "gerund": ("Remember {c}?", "Think back to {c}.", "Go back to {c}."),
        "other": (
            "Think back to your own memory: {c}.",
            "Remember this moment of yours: {c}.",
            "Go back to something you lived: {c}.",
        ),
    },
    "gentle": {
        "when": (
            "It might be a little like when {c}.",
            "Perhaps you remember when {c}.",
            "Think gently back to when {c}.",
        ),
        "gerund": (
            "It might be a little like {c}.",
            "Perhaps you remember {c}.",
            "Think gently back to {c}.",
        ),
        "other": (
            "It might be a little like this moment of yours: {c}.",
            "Perhaps you remember this moment of yours: {c}.",
            "Think gently back to something you lived: {c}.",
        ),
    },
}
# The "and also" line for a second memory (medium length).
ALSO_FRAMES: dict[str, str] = {
    "when": "It may also echo the time {c}.",
    "gerund": "It may also echo {c}.",
    "other": "It may also echo another memory of yours: {c}.",
}

# Naming the other person when ``who`` is missing or a pronoun.
OTHER_PERSON = "the other person"
# pronoun -> (subject, object, possessive, plural)
PRONOUN_REFS: dict[str, tuple[str, str, str, bool]] = {
    "he": ("he", "him", "his", False),
    "him": ("he", "him", "his", False),
    "she": ("she", "her", "her", False),
    "her": ("she", "her", "her", False),
    "they": ("they", "them", "their", True),
    "them": ("they", "them", "their", True),
}
IS_ARE = ("is", "are")  # indexed by plural

TARGET_RELATIVE = "{lead}, who {rest}."
TARGET_WHOSE = "{lead}, whose {rest}."
TARGET_COLON = "{lead}: {c}."
TARGET_BARE = "{lead}."

# How the bridge names the other person's situation: by theme when trusted, else plainly.
SITUATION_BY_THEME = "experience of {situation}"
SITUATION_PLAIN = "situation"
BRIDGE = "Your memory of {memory} and {ref_poss} {situation} share {gist}."
BRIDGE_DASHES = "Your memory — {memory} — and {ref_poss} {situation} share {gist}."
BRIDGE_TITLE = "Your memory of “{memory}” and {ref_poss} {situation} share {gist}."
BRIDGE_WHEN = "the time {c}"

# --- tone -------------------------------------------------------------------------------

FELT = {"gentle": "may have felt", "direct": "felt"}
GENTLE_CODA = {
    "negative": "Be kind to yourself as you remember it.",
    "positive": "Let yourself enjoy remembering it.",
}

# --- values (Schwartz) ------------------------------------------------------------------

SCHWARTZ_VALUES: tuple[str, ...] = (
    "self_direction",
    "stimulation",
    "hedonism",
    "achievement",
    "power",
    "security",
    "conformity",
    "tradition",
    "benevolence",
    "universalism",
)
VALUE_GROUP: dict[str, str] = {
    "benevolence": "care",
    "universalism": "care",
    "achievement": "effort",
    "power": "effort",
    "security": "stability",
    "tradition": "stability",
    "conformity": "stability",
    "self_direction": "freedom",
    "stimulation": "freedom",
    "hedonism": "freedom",
}
# One short clause per value group, (painful memory, joyful memory): general enough to fit
# any situation of that kind, so it never reads as a non-sequitur.
VALUE_CLAUSES: dict[str, tuple[str, str]] = {
    "care": (
        "Your care for the people around you can start from that memory.",
        "Your care for the people around you can start from that memory.",
    ),
    "effort": (
        "You know how much it matters to be taken seriously.",
        "You know how good it feels to stand tall.",
    ),
    "stability": (
        "You know how much it matters to feel steady.",
        "You know how good it feels to stand on steady ground.",
    ),
    "freedom": (
        "You know how it feels when things are taken out of your hands.",
        "You know how good it feels when a door opens.",
    ),
}
# Sharper wording, used only when both the memory's theme and the other person's theme are
# among ``themes``: group -> ((themes, painful, joyful), ...), first match wins.
THEMED_VALUE_CLAUSES: dict[str, tuple[tuple[frozenset[str], str, str], ...]] = {
    "effort": (
        (
            frozenset({"failing_ideal", "frustration", "progress_toward_goal", "ego_enhancement"}),
            "You know what it costs when effort goes unseen.",
            "You know what it means when effort is finally recognised.",
        ),
        (
            frozenset({"demeaning_offense", "exclusion", "betrayal"}),
            "You know how much it matters to be judged fairly.",
            "You know how much it means to be judged fairly.",
        ),
    ),
    "stability": (
        (
            frozenset({"exclusion", "affection", "gratitude"}),
            "You know how much it matters to feel steady and to belong.",
            "You know how good it feels to be steady and to belong.",
        ),
    ),
    "freedom": (
        (
            frozenset(
                {
                    "exclusion",
                    "demeaning_offense",
                    "betrayal",
                    "frustration",
                    "progress_toward_goal",
                }
            ),
            "You know how it feels to have the choice taken out of your hands.",
            "You know the lift of choosing your own way.",
        ),
    ),
}

# --- generic feeling lines --------------------------------------------------------------

# Emotions that make a memory pleasant (it must then never be called painful).
POSITIVE_EMOTIONS = frozenset(
    {
        "joy",
        "pride",
        "relief",
        "gratitude",
        "love",
        "excitement",
        "amusement",
        "admiration",
        "optimism",
        "caring",
        "approval",
    }
)
NEGATIVE_EMOTIONS = frozenset(
    {
        "anger",
        "annoyance",
        "confusion",
        "disappointment",
        "disapproval",
        "disgust",
        "embarrassment",
        "fear",
        "grief",
        "nervousness",
        "remorse",
        "sadness",
    }
)
# Used instead of the variant's ``feel`` line when no specific shared appraisal applies:
# "painful" when only the unpleasantness is shared, "pleasant" for a memory whose shared
# emotions are positive. Picked by a stable hash, so the wording varies.
GENERIC_FEEL: dict[str, tuple[str, ...]] = {
    "painful": (
        "It was hard to live through; you {felt} {feelings}.",
        "It hurt, and it stayed with you; you {felt} {feelings}.",
        "It was a hard time, and you {felt} {feelings}.",
        "It left a mark on you: you {felt} {feelings}.",
    ),
    "pleasant": (
        "It stayed with you; you {felt} {feelings}.",
        "It meant something to you, and you {felt} {feelings}.",
        "It is a moment you still carry: you {felt} {feelings}.",
    ),
}
