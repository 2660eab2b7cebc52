"""What the tests share, needing no site of the suite (a site's own fixtures and page readers live in its
tests' folder: tests/<site>/conftest.py, live.py, pages.py).

- ``servers``: Mongrel2, Redis and handler processes (fixtures ``mongrel2``, ``redis_url``, ``site``,
  ``serve``, ``concurrency``; the ``@both_libraries`` mark);
- ``inprocess``: a site driven in this process by ``brubeck.testing.TestClient`` (``settings``, ``store``,
  ``app`` (the shared accounts on their own, unless a site's tests give theirs), ``browser``, ``visitor``,
  ``alice``); ``stores``: the store on either engine (``either_store``, ``query_plan``);
- ``clients``, ``running_suite``, ``bringup``: the same through a real Mongrel2, several sites behind
  one, and the whole bring-up in a copy of the tree;
- ``pages``: what a visitor does on the account pages and how pages are read, with either kind of client;
- ``sites``: which of the suite's sites this tree holds;
- ``chromium``: headless Chromium (fixture ``chromium``); ``raw_http``, ``zmq_tap``, ``waiting``,
  ``brubeck_requests``: lower-level helpers; ``apps/``: apps the tests run (the accounts alone, the
  framework's probes).

tests/conftest.py loads the fixture modules as plugins (a site's, when the site is here), so every test may
ask for their fixtures.
"""
