"""Third-person copies of first-person narrations, for training.

EmoSync analyzes two kinds of text: the user's own memories (first person) and other
people's situations (mostly third person: "She was searched at the mall"). The corpus is
first person; measured on its test split, the analyzer's family accuracy fell from 0.673 to
0.586 when the same texts were put in the third person. Training on both forms closes the
gap. The rewrite is mechanical (pronouns only) and keeps the labels: who felt it is the
same person, only the narrator's grammar changes.
"""

from __future__ import annotations

import re

_RULES: dict[str, list[tuple[str, str]]] = {
    pronoun: [
        (r"\bI'm\b", f"{pronoun}'s"),
        (r"\bI've\b", f"{pronoun}'s"),
        (r"\bI'd\b", f"{pronoun}'d"),
        (r"\bI'll\b", f"{pronoun}'ll"),
        (r"\bI am\b", f"{pronoun} is"),
        (r"\bI have\b", f"{pronoun} has"),
        (r"\bI\b", pronoun),
        (r"\bme\b", obj),
        (r"\b[Mm]y\b", possessive),
        (r"\bmine\b", possessive_pronoun),
        (r"\bmyself\b", reflexive),
    ]
    for pronoun, obj, possessive, possessive_pronoun, reflexive in (
        ("she", "her", "her", "hers", "herself"),
        ("he", "him", "his", "his", "himself"),
    )
}


def third_person(text: str, pronoun: str) -> str:
    for pattern, replacement in _RULES[pronoun]:
        text = re.sub(pattern, replacement, text)
    return text[:1].upper() + text[1:]
