"""Readify's JSON API at api.readify.localhost, a handler process of its own (``python -m readify.api``).

Endpoints: handlers.py; what each takes and answers: schema.py, declared as in operations.py, from
which openapi.py makes /openapi.json.  Authentication is the suite's shared API tokens.
"""
