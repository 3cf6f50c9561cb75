"""The bot finds the thing a plain question is about, from the catalog's names and keywords."""

import pytest

from bot.finding import find_things
from onething.services.reference import load_catalog

CATALOG = load_catalog()


@pytest.mark.parametrize("question, expected", [
    ("开公司需要什么材料？", ["business-opening"]),
    ("我想开个饭店", ["restaurant-opening"]),  # words in between still match
    ("卖个房子要交什么税", ["resale-housing-transfer"]),
    ("新生儿和退休的事", ["newborn", "retirement"]),  # longest match first
    ("今天天气如何", []),
    ("进度", []),
])
def test_questions_find_their_things(question, expected):
    assert [t.code for t in find_things(CATALOG, question)] == expected


def test_a_question_naming_two_things_offers_both():
    # 开店 is the restaurant's, 企业 the company's: the person says which
    assert {t.code for t in find_things(CATALOG, "我想开店办个企业")} == {"restaurant-opening", "business-opening"}
