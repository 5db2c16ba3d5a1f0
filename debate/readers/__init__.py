"""What readers use: the debate page and its results panel, their votes, the
JSON API, and who the reader is."""
