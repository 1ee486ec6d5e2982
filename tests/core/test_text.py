"""The words messages and findings are built from."""

from __future__ import annotations

from workflow.core.text import joined, with_article


def test_a_word_takes_a_or_an_by_its_first_letter() -> None:
    """An article before a vowel, a before anything else."""
    assert with_article("invoice") == "an invoice"
    assert with_article("licence") == "a licence"
    assert with_article("utility bill") == "an utility bill"  # by letter, not by sound: as the messages always said


def test_lists_are_joined_as_a_sentence_says_them() -> None:
    """One item alone; two with the last word; more with commas, then the last word."""
    assert joined(["root causes"]) == "root causes"
    assert joined(["email", "appeal form"], "or") == "email or appeal form"
    assert joined(["'a'", "'b'", "'c'"]) == "'a', 'b' and 'c'"
