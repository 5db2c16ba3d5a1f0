"""A bare Flask app: the ceiling any Flask view can reach on this machine."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, world!"
