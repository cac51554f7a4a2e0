"""What leaves the system: the serving file and Parquet (publish), the officials' workbooks and CSV (export), and text that stays text in both. No Dagster."""
