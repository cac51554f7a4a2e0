"""Synthetic ledgers: people and rows (synth), the writer of every ledger dialect, the generator at scale, and the bundled samples."""
