"""The build database: loading batches (ingest), the raw and ingest tables (store), quality figures, the write lock, the dbt state and the seeds made from zh.py. No Dagster."""
