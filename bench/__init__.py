"""`make bench`: load-test debate under gunicorn against two hello-worlds.

Only ratios against the hello-worlds of the same run compare across
machines and runs; see run.py for the driver and BENCHMARKS.md for results.
"""
