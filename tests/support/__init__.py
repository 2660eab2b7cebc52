"""What the tests share: servers on free ports, clients, the sites' pages read as a person would, Chromium.

- ``servers``: Mongrel2, Redis and handler processes (fixtures ``mongrel2``, ``redis_url``, ``site``,
  ``serve``, ``concurrency``; the ``@both_libraries`` mark);
- ``inprocess``: a site driven in this process by ``brubeck.testing.TestClient`` (``app``, ``store``,
  ``browser``, ``visitor``, ``alice``);
- ``clients``, ``listsurf_live``, ``readify_live``, ``spotichat_live``, ``running_suite``: the same
  through a real Mongrel2;
- ``pages``, ``listsurf_pages``, ``readify_pages``, ``spotichat_pages``, ``readify_api``: what a visitor
  does on each site and how its pages are read, with either kind of client;
- ``chromium``: headless Chromium (fixture ``chromium``); ``raw_http``, ``zmq_tap``, ``waiting``,
  ``brubeck_requests``: lower-level helpers; ``apps/``: handler apps the framework's tests run.

tests/conftest.py loads the fixture modules as plugins, so every test may ask for their fixtures.
"""
