"""The glass house: the web service every gate reports to (FastAPI, server-rendered)."""
