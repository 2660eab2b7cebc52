"""The threat model at a glance: what an attacker and a careless client tried, and the test that holds each.

1. Concurrent password guessing checks at most the limit ........ test_accounts_and_input.py (in process, and
   through Mongrel2)
2. Large and chunked bodies: refused before stored, answered once, no file left .. test_mongrel2_hardening.py
3. A handler process that dies is restarted, the rest keep serving ... tests/suite/test_bringup.py
   (``test_a_killed_site_is_started_again_while_mongrel2_serves_the_rest``)
4. No request lost around a restart; SIGTERM drains ................ test_restarts.py (through Mongrel2),
   tests/brubeck/test_dispatch.py
5. Headers with a TAB or bytes that are not UTF-8 ................... test_mongrel2_hardening.py
6. ``Connection: close`` and HTTP/1.0 close after the reply .......... test_mongrel2_hardening.py
7. An ``Authorization`` header does not skip CSRF ................... test_accounts_and_input.py,
   tests/brubeck/test_csrf.py
8. Someone else's guesses do not lock the owner out ................. test_accounts_and_input.py
9. Content-Security-Policy, framing, Referrer-Policy, no-store ....... test_headers.py,
   test_accounts_and_input.py
10. The Host header is never reflected; Mongrel2's hosts match exactly .. tests/listsurf/test_pages.py,
    tests/listsurf/test_api.py, tests/suite/test_bringup.py
11. ASCII digits only, host names by DNS rules, limits on links and sign-ups .. test_accounts_and_input.py
"""
