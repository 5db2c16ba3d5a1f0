"""The database: typed rows, a debate's rows as its read model, and the one
place that writes votes."""
