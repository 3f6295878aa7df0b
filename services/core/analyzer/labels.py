"""The vocabulary of an emotional structure: emotions, appraisal dimensions and themes.

These names are part of the public interface (JSON keys in the API, columns of the
training corpus in ``data/narratives/``), so they only ever grow; renaming one is a
new analyzer version.
"""

from __future__ import annotations

# GoEmotions' 27 categories plus neutral, in the dataset's label-id order
# (``labels.txt``), so GoEmotions rows can be read by index.
EMOTIONS: tuple[str, ...] = (
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
)

# Appraisal dimensions (Scherer's component process model and Smith & Ellsworth),
# each a score in [0, 1]. The one-line meanings are served in the API docs.
APPRAISAL_DIMENSIONS: dict[str, str] = {
    "pleasantness": "How pleasant the event was in itself (0 very unpleasant, 1 very pleasant).",
    "goal_obstruction": "How much it blocked or hurt what the person wanted or planned.",
    "unexpectedness": "How sudden or unexpected it was.",
    "self_responsibility": "How much the person themself caused it.",
    "other_responsibility": "How much another person (or people) caused it.",
    "circumstance_responsibility": (
        "How much chance, nature, illness or impersonal circumstances caused it."
    ),
    "unfairness": "How unjust or undeserved it was.",
    "controllability": "How much the person could still act on it or cope (coping potential).",
    "norm_violation": "How much it broke a moral rule or social norm (by anyone).",
    "self_esteem_threat": "How much it lowered the person's view of themself or their standing.",
    "social_exclusion": (
        "How much the person was shut out, rejected or left alone (belonging threatened)."
    ),
    "irrevocable_loss": "How much something or someone valued was lost for good.",
    "future_threat": "How much danger or uncertainty lay ahead.",
    "intensity": "How strongly it was felt.",
}

# Core relational themes (Lazarus, 1991), plus exclusion as its own theme because
# being shut out is central to the product's use cases.
THEMES: dict[str, str] = {
    "demeaning_offense": "Someone wronged or belittled me or mine (anger).",
    "irrevocable_loss": "I lost someone or something that cannot come back (sadness, grief).",
    "uncertain_threat": "Something bad may happen and I cannot be sure (anxiety).",
    "immediate_danger": "I faced a sudden, concrete danger (fright).",
    "transgression": "I broke a moral rule or hurt someone (guilt).",
    "failing_ideal": "I fell short of who I want to be, in front of others or myself (shame).",
    "exclusion": "I was shut out, rejected or left alone by people I wanted to belong with.",
    "contamination": "I was close to something or someone repulsive or degrading (disgust).",
    "betrayal": "Someone I trusted let me down or deceived me (disappointment, hurt).",
    "frustration": "Things or people kept getting in the way of what I wanted (annoyance).",
    "progress_toward_goal": "I moved toward or reached something I wanted (joy).",
    "ego_enhancement": "I earned credit for an achievement, mine or my group's (pride).",
    "relief": "A distressing situation changed for the better or went away.",
    "hope": "I feared the worst but yearned for better and it still seemed possible.",
    "affection": "I gave or received love and closeness.",
    "gratitude": "Someone gave me something good without having to (gratitude).",
    "compassion": "I was moved by another person's suffering and wanted to help.",
    "envy": "Someone else had what I wanted.",
    "neutral": "Nothing much was at stake.",
}

# Coarse families used to evaluate against corpora labelled with basic emotions (e.g.
# ISEAR's seven). Shame and guilt are told apart: shame is about who I am in others' eyes
# (embarrassment), guilt about what I did to someone (remorse).
EMOTION_FAMILIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "admiration",
            "amusement",
            "approval",
            "caring",
            "desire",
            "excitement",
            "gratitude",
            "joy",
            "love",
            "optimism",
            "pride",
            "relief",
        ),
        "joy",
    ),
    **dict.fromkeys(("fear", "nervousness"), "fear"),
    **dict.fromkeys(("anger", "annoyance", "disapproval"), "anger"),
    **dict.fromkeys(("sadness", "grief", "disappointment"), "sadness"),
    "disgust": "disgust",
    "embarrassment": "shame",
    "remorse": "guilt",
    **dict.fromkeys(("surprise", "confusion", "curiosity", "realization", "neutral"), "other"),
}
FAMILIES: tuple[str, ...] = ("joy", "fear", "anger", "sadness", "disgust", "shame", "guilt")
assert set(EMOTION_FAMILIES) == set(EMOTIONS)
