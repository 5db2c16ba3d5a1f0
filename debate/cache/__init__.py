"""The one cache: its store (store.py) and the response layer in front of Flask
(responses.py)."""
