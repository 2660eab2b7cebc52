"""Tornado hello world: ``python -m bench.servers.tornado_hello PORT``."""

import asyncio
import sys

import tornado.web


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello world")


async def serve(port: int) -> None:
    app = tornado.web.Application([(r"/", HelloHandler)])
    app.listen(port, address="127.0.0.1")
    await asyncio.Event().wait()


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    asyncio.run(serve(int(argv[0])))


if __name__ == "__main__":
    main(sys.argv[1:])
