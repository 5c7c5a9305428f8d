"""Grade and judgement vocabularies, normalised to the contract's keys."""

import re

GRADES = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires_improvement",
    "requires improvement": "requires_improvement",
    "inadequate": "inadequate",
}
GRADE_AT_END = re.compile(
    r"(?:^|\s)(outstanding|good|requires improvement(?: to be good)?|inadequate)\.?$", re.I
)


def normalise_grade(text: str) -> str | None:
    return GRADES.get(" ".join(text.lower().split()).rstrip("."))


def ilacs_judgement_key(label: str) -> str | None:
    """Contract key for an ILACS judgement-table label, in all three layouts."""
    text = " ".join(label.lower().split())
    if "overall effectiveness" in text:
        return "overall_effectiveness"
    if "impact of leaders" in text:
        return "impact_of_leaders"
    if "help and protection" in text:
        return "help_and_protection"
    if "children in care and care leavers" in text:
        return "children_in_care_and_care_leavers"
    if "children in care" in text:
        return "children_in_care"
    if "care leavers" in text:
        return "care_leavers"
    return None
