"""The threat model at a glance: what an attacker and a careless client tried, and the test that holds each.

The tests here need no site of the suite (the shared accounts on their own, the framework's apps, every site
this tree holds); what one site shows lives with that site's tests.

1. Concurrent password guessing checks at most the limit ........ tests/listsurf/test_accounts_and_input.py (in
   process, and through Mongrel2)
2. Large and chunked bodies: refused before stored, answered once, no file left .. test_mongrel2_hardening.py
3. A handler process that dies is restarted, the rest keep serving ... tests/suite/test_bringup.py
   (``test_a_killed_site_is_started_again_while_mongrel2_serves_the_rest``)
4. No request lost around a restart; SIGTERM drains ................ test_restarts.py (through Mongrel2),
   tests/brubeck/test_dispatch.py
5. Headers with a TAB or bytes that are not UTF-8 ................... test_mongrel2_hardening.py
6. ``Connection: close`` and HTTP/1.0 close after the reply .......... test_mongrel2_hardening.py
7. An ``Authorization`` header does not skip CSRF ................... tests/listsurf/test_accounts_and_input.py,
   tests/brubeck/test_csrf.py
8. Someone else's guesses do not lock the owner out ................. tests/listsurf/test_accounts_and_input.py
9. Content-Security-Policy, framing, Referrer-Policy, no-store ....... test_headers.py,
   tests/listsurf/test_accounts_and_input.py
10. The Host header is never reflected; Mongrel2's hosts match exactly .. tests/listsurf/test_pages.py,
    tests/listsurf/test_api.py, tests/suite/test_bringup.py
11. ASCII digits only, host names by DNS rules, limits on links and sign-ups ..
    tests/listsurf/test_accounts_and_input.py

The second round (issue "Hardening, second round"):

1. A login name is bounded before it is stored; a refused attempt stores nothing .. test_stored_bounds.py
2. Redis has a memory bound and evicts nothing; an account makes a bounded number of rooms
   .. tests/spotichat/test_redis_limits.py
3. API keys open the APIs only, never the pages ........................ test_api_keys.py,
   tests/listsurf/test_api_keys.py, tests/readify/test_api_keys.py
4. Lone surrogates, deep JSON, bytes that are not UTF-8, over-long fields: 4xx, nothing stored
   .. test_odd_input.py (every route of every site), tests/brubeck/test_parsing.py
5. Joining a chat room is a POST; GET and HEAD join nobody .. tests/spotichat/test_joining.py,
   tests/shared/chat/test_presence.py
6. Held polls per account and per address are bounded (429) .. tests/shared/chat/test_waiters.py,
   tests/spotichat/test_live.py, tests/brubeck/test_longpoll.py
7. One account cannot take over the busiest rooms ..................... tests/shared/chat/test_presence.py
8. Invisible and direction-changing characters; host names in ASCII .... test_stored_text.py,
   tests/listsurf/test_pages.py
9. Pages of a signed-in user are not cached ........................... tests/listsurf/test_private_pages.py,
   tests/readify/test_private_pages.py
10. The landing page and the framework's own answers carry the security headers .. test_headers.py,
    tests/suite/test_bringup.py
Also: what a Gravatar tells of the email is said beside the field .. tests/readify/test_pages.py
"""
