"""Finding the thing a plain question is about, from the catalog's names and keywords.

The words are indexed once per process, longest first, so a question costs one substring test
per word; only when no word appears as it is does the loose match (other characters in
between: 开个饭店, 办个退休) run, and only for words whose first character is there at all.
"""

from __future__ import annotations

from onething.domain.catalog import Catalog, Thing

SLACK = 2  # characters allowed between a word's own


def loosely_in(word: str, text: str, slack: int = SLACK) -> bool:
    """The word's characters in order with at most ``slack`` others between: 开饭店 in 开个饭店."""
    for start in (i for i, ch in enumerate(text) if ch == word[0]):
        position, end = start, start + len(word) + slack
        for ch in word[1:]:
            position = text.find(ch, position + 1, end)
            if position < 0:
                break
        else:
            return True
    return False


class ThingFinder:
    def __init__(self, catalog: Catalog):
        words = {(word, thing.code): thing for thing in catalog.things.values()
                 for word in (thing.name, *thing.keywords) if len(word) >= 2}
        self._words = sorted(((w, t) for (w, _), t in words.items()), key=lambda wt: (-len(wt[0]), wt[1].code))

    def find(self, question: str) -> list[Thing]:
        """Things whose name or a keyword appears in the question, longest match first; failing
        any, those whose words appear loosely."""
        best: dict[str, tuple[int, Thing]] = {}
        for word, thing in self._words:
            if thing.code not in best and word in question:
                best[thing.code] = (len(word), thing)
        if not best:
            for word, thing in self._words:
                if thing.code not in best and word[0] in question and loosely_in(word, question):
                    best[thing.code] = (len(word), thing)
        return [thing for _, thing in sorted(best.values(), key=lambda lt: (-lt[0], lt[1].code))]


def find_things(catalog: Catalog, question: str) -> list[Thing]:
    return ThingFinder(catalog).find(question)
