"""The domain, with no Flask and no database: a debate's read model, its content
file, counting, the authors' analysis, statistics and chart geometry."""
