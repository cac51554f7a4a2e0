"""The Dagster definitions, by stage (ingest, warehouse, exports, automation).

The ingest assets use Dagster's beta `backfill_policy` on purpose (one step loads a range
of months). Its BetaWarning speaks to whoever chose it, not to someone running the
pipeline or opening the UI, so it is filtered here, before any asset is defined.
"""

import warnings

from dagster import BetaWarning, PreviewWarning

warnings.filterwarnings("ignore", category=BetaWarning)
warnings.filterwarnings("ignore", category=PreviewWarning)
