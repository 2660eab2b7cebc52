"""Hello-world servers the benchmark starts, one process each.

Every module here runs as ``python -m bench.servers.NAME ARGS`` from the
repository root and serves until it receives SIGTERM.
"""
