"""Tools for the county bureaus: blank ledger templates and the pre-submission check."""
