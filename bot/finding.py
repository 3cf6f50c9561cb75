"""Finding the thing a plain question is about, from the catalog's names, keywords and aliases.

The scoring is :mod:`onething.domain.phrasing` (character bigrams); its index is built once per
process, so a question costs a dictionary lookup per bigram (and a question asked before, one
lookup).
"""

from __future__ import annotations

import functools

from onething.domain.catalog import Catalog, Thing
from onething.domain.phrasing import PhraseIndex

CACHED_LENGTH = 64  # characters


class ThingFinder:
    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._index = PhraseIndex({code: (thing.name, *thing.keywords, *thing.aliases)
                                   for code, thing in catalog.things.items()})
        # people ask the same few things in the same words: each short wording is scored once
        # (long ones are not kept: 4096 of them could hold hundreds of megabytes)
        self._best = functools.lru_cache(maxsize=4096)(self._index.best)

    def find(self, question: str) -> list[Thing]:
        """The things the question is about, best first: one when it is clear, several when close,
        none when nothing matches well enough."""
        best = self._best if len(question) <= CACHED_LENGTH else self._index.best
        return [self._catalog.things[code] for code in best(question)]


def find_things(catalog: Catalog, question: str) -> list[Thing]:
    return ThingFinder(catalog).find(question)
