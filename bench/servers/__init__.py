"""The servers bench.hello and bench.service start, one process each.

Every module here runs as ``python -m bench.servers.NAME ARGS`` from the
repository root and serves until it receives SIGTERM (but for service_caller's loop, which
stops by itself).
"""
