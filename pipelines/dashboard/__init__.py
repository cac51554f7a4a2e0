"""The dashboard over the serving file (`collabstats dashboard`): data.py reads, app.py shows."""
