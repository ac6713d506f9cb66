import pytest

from locations.core import fulltext as search


def test_index_text_splits_japanese_into_characters_and_keeps_latin_words():
    assert search.index_text("特別名勝　栗林公園", "Ritsurin Garden 1-20") == "特 別 名 勝 栗 林 公 園 ritsurin garden 1 20"


def test_full_width_text_is_normalised():
    assert search.index_text("ＡＢＣ１２３") == "abc123"


@pytest.mark.parametrize(
    "query, fts, ts",
    [
        ("滝", '"滝"', "('滝')"),
        ("神社", '"神 社"', "('神' <-> '社')"),
        ("Park", '"park"*', "('park':*)"),
        ("高松 park", '"高 松" AND "park"*', "('高' <-> '松') & ('park':*)"),
    ],
)
def test_query_syntax_matches_on_both_engines(query, fts, ts):
    words = search.query_words(query)
    assert search.fts5_query(words) == fts
    assert search.tsquery(words) == ts


@pytest.mark.parametrize("hostile", ['"', "' OR 1=1 --", "a\"b", "NEAR(", "*", "\\'", "—"])
def test_operators_and_quotes_never_reach_the_engine(hostile):
    words = search.query_words(hostile)
    fts = search.fts5_query(words)
    assert fts.count('"') % 2 == 0
    for tokens in words:
        for token in tokens:
            assert token.isalnum()


def test_query_word_count_is_bounded():
    assert len(search.query_words(" ".join(["a"] * 100))) == search.MAX_QUERY_WORDS
