"""Finding the thing a plain question is about, from the catalog's names, keywords and aliases.

The scoring is :mod:`onething.domain.phrasing` (character bigrams); its index is built once per
process, so a question costs a dictionary lookup per bigram.
"""

from __future__ import annotations

from onething.domain.catalog import Catalog, Thing
from onething.domain.phrasing import PhraseIndex


class ThingFinder:
    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._index = PhraseIndex({code: (thing.name, *thing.keywords, *thing.aliases)
                                   for code, thing in catalog.things.items()})

    def find(self, question: str) -> list[Thing]:
        """The things the question is about, best first: one when it is clear, several when close,
        none when nothing matches well enough."""
        return [self._catalog.things[code] for code in self._index.best(question)]


def find_things(catalog: Catalog, question: str) -> list[Thing]:
    return ThingFinder(catalog).find(question)
