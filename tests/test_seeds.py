"""dbt files generated from Python (the indicator seed, the ethnic-name macro); a hand
edit of either side shows up here."""

from pipelines.database.seeds import (
    ETHNIC_MACRO,
    INDICATOR_SEED,
    ethnic_macro_text,
    indicator_seed_text,
)


def test_indicator_seed_in_sync():
    assert INDICATOR_SEED.read_text(encoding="utf-8") == indicator_seed_text(), (
        "run: python -m pipelines.database.seeds"
    )


def test_ethnic_name_macro_in_sync():
    assert ETHNIC_MACRO.read_text(encoding="utf-8") == ethnic_macro_text(), (
        "run: python -m pipelines.database.seeds"
    )
