"""Which thing a question written as people write it is about: character bigrams, weighed.

Every name, keyword and alias of a thing gives its bigrams (出生 → 出生; 上户口 → 上户, 户口).
A question scores, for each thing, the bigrams of its own that are the thing's, each weighed by
how few things share it (一件事 says nothing; 户口 says a lot). A word with another character
inside it (开个饭店, 办个退休) still matches through the question's skipping bigrams (开饭), at a
lower weight, and a typo spoils only the bigrams around it. Things scoring close to the best
are all offered, and so is any thing whose word is in the question as it is (新生儿和退休): the
person then picks one.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping

SKIPPED = 0.6  # a bigram found only with one character in between
MINIMUM = 3.0  # one bigram alone (孩子 in 孩子上小学) is not enough, unless it is a whole word (出生)
CLOSE = 0.6  # things scoring at least this share of the best are offered too
# bigrams of how people ask about anything, which no thing's words may claim
GENERIC = frozenset({"一件", "件事", "办理", "怎么", "什么", "需要", "要办", "办什", "哪些", "材料", "手续",
                     "申请", "我想", "想办", "如何", "登记"})


def normal(text: str) -> str:
    """Letters and digits only, full-width folded, lower case: punctuation and spaces say nothing."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def skipping(text: str) -> set[str]:
    return {text[i] + text[i + 2] for i in range(len(text) - 2)}


@dataclass(frozen=True)
class Match:
    code: str
    score: float


class PhraseIndex:
    """Built once per process from ``{thing code: its words}``; each question costs a lookup per bigram."""

    def __init__(self, words: Mapping[str, Iterable[str]]):
        words = {code: tuple(phrases) for code, phrases in words.items()}
        grams = {code: set().union(*(bigrams(normal(w)) for w in phrases)) - GENERIC for code, phrases in words.items()}
        holders: dict[str, list[str]] = {}
        for code, own in grams.items():
            for gram in own:
                holders.setdefault(gram, []).append(code)
        self._words = {code: tuple({n for n in map(normal, phrases) if len(n) >= 2 and n not in GENERIC})
                       for code, phrases in words.items()}
        count = len(grams)
        # log2(things / holders): a bigram of one thing among six weighs 2.6, of three 1, of all 0
        self._index = {gram: [(code, math.log2(count / len(codes))) for code in codes]
                       for gram, codes in holders.items() if len(codes) < count}

    def scores(self, question: str) -> list[Match]:
        text = normal(question)
        seen = bigrams(text)
        totals: dict[str, float] = {}
        for grams, factor in ((seen, 1.0), (skipping(text) - seen, SKIPPED)):
            for gram in grams:
                for code, weight in self._index.get(gram, ()):
                    totals[code] = totals.get(code, 0.0) + weight * factor
        return sorted((Match(code, score) for code, score in totals.items()), key=lambda m: (-m.score, m.code))

    def best(self, question: str) -> list[str]:
        """The codes worth offering, best first: none below the minimum, none far behind the best
        unless one of its words is in the question as it is."""
        matches, text = self.scores(question), normal(question)
        named = {m.code for m in matches if any(word in text for word in self._words[m.code])}
        if not named and (not matches or matches[0].score < MINIMUM):
            return []
        floor = max(MINIMUM, matches[0].score * CLOSE)
        return [m.code for m in matches if m.score >= floor or m.code in named]
