"""no.js: chat with no JavaScript at all, on the chat core (``shared/chat``).

A room's messages view is held until a message arrives after the cursor it shows, then answered with the
new page, whose META refresh asks again at once: a live chat in browsers that run no script.
"""
