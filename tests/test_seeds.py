"""dbt files generated from Python (the indicator seed, the ethnic-name macro, the wide
marts' columns and descriptions); a hand edit of either side shows up here."""

import pytest

from pipelines.database.seeds import GENERATED


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_generated_dbt_file_in_sync(path):
    assert path.read_text(encoding="utf-8") == GENERATED[path](), (
        "run: python -m pipelines.database.seeds"
    )
