"""The ceiling: a bare, blocking pyzmq loop behind Mongrel2, no framework.

``python -m bench.servers.pyzmq_loop {hello|json|minimal|hello-busy} PULL_ADDR PUB_ADDR``

It receives a request frame, takes the sender and connection id, and publishes one fixed HTTP
response for that connection.  ``hello`` and ``json`` answer byte for byte what Brubeck's hello world
and JSON hello answer (``bench.servers.brubeck_hello``; ``bench.hello`` checks that they still do), so
that the ratio measures the framework and not header bytes; ``minimal`` answers the fewest headers.
``hello-busy`` answers as ``hello`` after spinning for :data:`BUSY_US` µs per request: a handler as costly
as Brubeck's with nothing of Brubeck's on the wire, to tell what Mongrel2 and the machine do behind any
handler of that cost.
"""

import sys
import time

import zmq

HEAD = (
    b"Content-Type: %s\r\nX-Content-Type-Options: nosniff\r\n"
    b"Content-Security-Policy: %s\r\nX-Frame-Options: DENY\r\nReferrer-Policy: same-origin\r\n"
)
PAGE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HELLO = b"Hello world"
JSON = b'{"message":"Hello world"}'
RESPONSES = {
    "hello": b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s"
    % (HEAD % (b"text/html; charset=utf-8", PAGE_POLICY), len(HELLO), HELLO),
    "json": b"HTTP/1.1 200 OK\r\n%sContent-Length: %d\r\n\r\n%s"
    % (HEAD % (b"application/json", b"default-src 'none'; frame-ancestors 'none'"), len(JSON), JSON),
    "minimal": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\n" + HELLO,
}
RESPONSES["hello-busy"] = RESPONSES["hello"]
BUSY_US = 12
"""About what Brubeck's hello world costs per request beyond this loop's (27 against 14 µs, 2026-12-07)."""


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[0] not in RESPONSES:
        sys.exit(__doc__)
    response = RESPONSES[argv[0]]
    busy = BUSY_US / 1e6 if argv[0] == "hello-busy" else 0.0
    clock = time.perf_counter
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.connect(argv[1])
    pub = context.socket(zmq.PUB)
    pub.connect(argv[2])
    while True:
        sender, conn_id, _path, rest = pull.recv().split(b" ", 3)
        length, _, rest = rest.partition(b":")
        if b'"METHOD":"JSON"' in rest[: int(length)]:  # a disconnect notice: nobody to answer
            continue
        if busy:
            until = clock() + busy
            while clock() < until:
                pass
        pub.send(b"%s %d:%s, %s" % (sender, len(conn_id), conn_id, response))


if __name__ == "__main__":
    main(sys.argv[1:])
