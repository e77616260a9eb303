"""Which examples train the sentiment model and which are held back, per corpus mode."""

from pathlib import Path

import pytest

from otklik.nlp.sentiment import corpus

SEMEVAL = [
    ("1", "positive", "Loving the new phone from @apple today", "twitter-2013train-A.tsv"),
    ("2", "negative", "Worst concert of the year, never again", "twitter-2014test-A.tsv"),
    ("3", "neutral", "Tomorrow the debate starts at 9pm on channel 4", "twitter-2016test-A.tsv"),
    ("4", "negative", "The update broke my laptop again, thanks a lot", "twitter-2016test-A.tsv"),
    ("5", "positive", "Dark Souls 3 launch date confirmed, can't wait", "twitter-2016dev-A.tsv"),
]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    extra = tmp_path / "extra"
    extra.mkdir()
    lines = ["tweet_id\tlabel\ttext\tsource_file"] + ["\t".join(row) for row in SEMEVAL]
    (extra / "semeval2013_2016_task4a_en.tsv").write_text("\n".join(lines) + "\n")
    # TweetEval's validation set holds SemEval's dev tweet (id 5), rewritten as TweetEval does.
    (tmp_path / "tweeteval_sentiment_val.tsv").write_text(
        "label\ttext\n2\tDark Souls 3 launch date confirmed, can't wait \n"
    )
    return tmp_path


def test_semeval_examples_name_their_edition(data: Path) -> None:
    train = corpus.build(data, "release").train["en"]
    assert {e.source for e in train if e.source.startswith("semeval")} == {
        "semeval:2013train",
        "semeval:2014test",
        "semeval:2016test",
        "semeval:2016dev",
    }


def test_later_mode_keeps_back_the_newest_semeval_test(data: Path) -> None:
    later = corpus.build(data, "later")
    assert [e.text for e in later.heldout["semeval2016_test"]] == [SEMEVAL[2][2], SEMEVAL[3][2]]
    train = {e.text for e in later.train["en"]}
    assert train == {SEMEVAL[0][2], SEMEVAL[1][2]}  # the dev tweet is TweetEval's: held back too
    assert [e.label for e in later.heldout["tweeteval_val"]] == ["positive"]


def test_holdout_mode_trains_on_the_newest_semeval_test(data: Path) -> None:
    holdout = corpus.build(data, "holdout")
    assert "semeval2016_test" not in holdout.heldout
    assert {SEMEVAL[2][2], SEMEVAL[3][2]} <= {e.text for e in holdout.train["en"]}


def test_unknown_mode_is_refused(data: Path) -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        corpus.build(data, "sealed")
