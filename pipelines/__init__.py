"""collabstats: the pipeline's code (docs/development.md)."""

import warnings

# With the [spark] extra installed, pandera imports pyspark.pandas when it loads (its
# documented check for pyspark), and pyspark warns that it does not support pandas 3 -
# a warning about pandas-on-Spark, which nothing here uses; a clerk's `check` shows it
# otherwise.
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)
