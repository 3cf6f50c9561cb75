"""A wording asked again is answered from the finder's cache, with what scoring it would give."""

from bot.finding import CACHED_LENGTH, ThingFinder
from onething.services.reference import load_catalog

CATALOG = load_catalog()


def test_a_wording_asked_again_finds_the_same_things_and_callers_cannot_spoil_the_cache():
    finder = ThingFinder(CATALOG)
    first = finder.find("开公司需要什么材料？")
    assert first
    first.clear()  # a caller's own list: the next asker still gets the answer
    assert finder.find("开公司需要什么材料？") == ThingFinder(CATALOG).find("开公司需要什么材料？") != []


def test_long_wordings_are_scored_each_time_and_not_kept():
    finder = ThingFinder(CATALOG)
    long_question = "开公司需要什么材料，" * (CACHED_LENGTH // 5)
    assert finder.find(long_question) == ThingFinder(CATALOG).find(long_question)
    assert finder._best.cache_info().currsize == 0
