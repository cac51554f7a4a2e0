"""seeds/indicators.csv is generated from zh.py; a hand edit of either shows up here."""

from pipelines.lib.seeds import INDICATOR_SEED, indicator_seed_text


def test_indicator_seed_in_sync():
    assert INDICATOR_SEED.read_text(encoding="utf-8") == indicator_seed_text(), (
        "run: python -m pipelines.lib.seeds"
    )
