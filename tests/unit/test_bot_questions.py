"""Questions as citizens write them find their thing: the top-1 accuracy over the question set
(tests/unit/data/bot_questions.yaml) stays at 90% or more, and questions about nothing in the
catalog find nothing, so the bot answers them with the choices."""

from pathlib import Path

import yaml

from bot.finding import ThingFinder
from onething.domain.phrasing import PhraseIndex
from onething.services.reference import load_catalog

CATALOG = load_catalog()
QUESTIONS = yaml.safe_load((Path(__file__).parent / "data" / "bot_questions.yaml").read_text("utf-8"))


def test_the_question_set_covers_every_thing_ten_times():
    assert set(QUESTIONS) == {*CATALOG.things, "nothing"}
    assert all(len(questions) >= 10 for questions in QUESTIONS.values())


def test_questions_as_people_write_them_find_their_thing_first():
    finder = ThingFinder(CATALOG)
    asked = [(code, q) for code, questions in QUESTIONS.items() if code != "nothing" for q in questions]
    misses = [(code, q, [t.code for t in finder.find(q)]) for code, q in asked
              if [t.code for t in finder.find(q)][:1] != [code]]
    accuracy = 1 - len(misses) / len(asked)
    print(f"\nbot question set: top-1 accuracy {accuracy:.1%} over {len(asked)} questions; misses: {misses}")
    assert accuracy >= 0.9, misses


def test_questions_about_nothing_in_the_catalog_find_nothing():
    finder = ThingFinder(CATALOG)
    assert {q: [t.code for t in finder.find(q)] for q in QUESTIONS["nothing"]} == {q: [] for q in QUESTIONS["nothing"]}


def test_one_shared_bigram_is_not_a_match_but_a_whole_word_is():
    index = PhraseIndex({"a": ["生孩子", "出生"], "b": ["退休"]})
    assert index.best("孩子上学") == []  # 孩子 only: a bigram of 生孩子, not a word of its own
    assert index.best("出生") == ["a"]


def test_words_with_a_character_between_and_typos_still_match():
    finder = ThingFinder(CATALOG)
    assert [t.code for t in finder.find("我想开个饭馆")] == ["restaurant-opening"]  # 开饭馆 with 个 inside
    assert [t.code for t in finder.find("餐饮许可正怎么办")] == ["restaurant-opening"]


def test_things_scoring_close_to_the_best_are_offered_too():
    index = PhraseIndex({"a": ["新生儿"], "b": ["退休"], "c": ["过户"]})
    assert index.best("新生儿和退休的事") == ["a", "b"]
