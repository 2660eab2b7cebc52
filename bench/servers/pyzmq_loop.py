"""The ceiling: a bare, blocking pyzmq loop behind Mongrel2, no framework.

``python -m bench.servers.pyzmq_loop PULL_ADDR PUB_ADDR``

It receives a request frame, takes the sender and connection id, and
publishes one fixed HTTP response for that connection.
"""

import sys

import zmq

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 11\r\n\r\nHello world"


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__)
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.connect(argv[0])
    pub = context.socket(zmq.PUB)
    pub.connect(argv[1])
    while True:
        sender, conn_id, _path, rest = pull.recv().split(b" ", 3)
        length, _, rest = rest.partition(b":")
        if b'"METHOD":"JSON"' in rest[: int(length)]:  # a disconnect notice: nobody to answer
            continue
        pub.send(b"%s %d:%s, %s" % (sender, len(conn_id), conn_id, RESPONSE))


if __name__ == "__main__":
    main(sys.argv[1:])
