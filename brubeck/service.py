"""Brubeck services: Brubeck apps that answer other Brubeck apps over ZeroMQ (brubeck-service's API).

A *service* is a Brubeck app whose ``msg_conn`` is a :class:`ServiceConnection` instead of a
Mongrel2 connection; its routes are :class:`ServiceMessageHandler` classes, dispatched by path
and by the request's ``METHOD`` (``request``, ``response`` or an HTTP verb, lower-cased to the
handler's method name).  A *caller* is any handler with :class:`ServiceClientMixin`::

    self.register_service("ipc://run/slow", "ipc://run/slow_response", "secret")  # once per process
    request = self.create_service_request("/service/slow", "request", {"RETURN_DATA": "hi"})
    response, handled = self.send_service_request("ipc://run/slow", request)   # waits; others run
    self.send_service_request_nowait("ipc://run/slow", request)  # the reply goes to a route

Sockets: the caller binds a PUSH socket at the service address and a PULL socket at the
response address (one pair per process, kept on the application); each service process
connects a PULL socket to the first and a PUSH socket to the second.  So several service
processes, on this machine or others (``tcp://``), may serve one address: ZeroMQ hands each
request to one of them in turn.  Only one caller can bind an address, so when several processes
call one service, a :mod:`brubeck.service_hub` binds in their place and each caller registers
with ``hub=True``: it connects to the hub, whose replies come back to it alone.

What goes over the wire is in :mod:`brubeck.service_wire`: one JSON object per message, with
the caller's id, a random request id, the passphrase, the path, ``METHOD``, and the arguments
(requests) or status and payload (replies); a reply goes as two frames, the caller's id first (a
hub routes it by that frame).

Rules: a service refuses (and logs, never answers) a request whose passphrase is wrong, and a
caller drops a reply whose passphrase is wrong.  A synchronous call gives up after
``timeout`` seconds (the call's, else the app's ``service_timeout`` setting, else
:data:`DEFAULT_TIMEOUT`) with :class:`ServiceTimeout`, which a handler may catch and which,
uncaught, answers 504.  A reply that comes after its caller gave up, or for a request this
process never sent, is dropped and logged.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Protocol
from urllib.parse import urlsplit

import zmq

from . import concurrency, service_wire
from .exceptions import HTTPError
from .handlers import MessageHandler
from .request import Request
from .responses import Response, json_bytes
from .routing import Router

__all__ = [
    "DEFAULT_TIMEOUT",
    "ServiceClientMixin",
    "ServiceConnection",
    "ServiceMessageHandler",
    "ServiceRequest",
    "ServiceResponse",
    "ServiceTimeout",
    "close_services",
    "coro_sleep",
]

log = logging.getLogger("brubeck.service")

DEFAULT_TIMEOUT = 30.0
"""How long a synchronous call waits for its reply (seconds) unless the app or the call says."""
NOWAIT_MEMORY = 3600.0
"""How long a caller remembers a request sent without waiting, for its reply to be handled (seconds)."""
SERVICE_METHODS = ("request", "response", "get", "head", "post", "put", "patch", "delete", "options", "connect")
"""The ``METHOD`` values a service handler answers, each by the method of that name."""
_RESOURCES = "_resources"
_IDLE_WAIT = 0.1
_SEND_RETRY = 0.05

coro_sleep = concurrency.sleep
"""Sleep without holding up the other requests (brubeck-service's name)."""


class ServiceTimeout(HTTPError):
    """A synchronous service call that got no reply in time; uncaught, the page answers 504."""

    def __init__(self, addr: str, timeout: float) -> None:
        super().__init__(504, f"The service at {addr} did not answer within {timeout:g} seconds.")
        self.addr = addr
        self.timeout = timeout


class _App(Protocol):
    """What the service code needs of the application (:class:`~brubeck.application.Brubeck`)."""

    router: Router
    settings: dict[str, Any]


# -- messages ------------------------------------------------------------------------------------


class ServiceRequest(Request):
    """A service request: ``path``, ``method`` (``METHOD``), ``arguments``, ``headers``, ``body``.

    ``get_argument(name, default)`` returns an argument as it was sent (any JSON value);
    ``conn_id`` is the request's id and ``sender`` the calling process's id.
    """

    body: Any

    def __init__(
        self,
        path: str,
        method: str = "request",
        arguments: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        sender: str = "",
        request_id: str = "",
    ) -> None:
        super().__init__(method=method, path=path, sender=sender, conn_id=request_id)
        self.service_arguments: dict[str, Any] = dict(arguments or {})
        self.service_headers: dict[str, Any] = dict(headers or {})
        self.body = dict(body or {})

    @property
    def request_id(self) -> str:
        return self.conn_id

    def get_argument(self, name: str, default: Any = None, strip: bool = True) -> Any:
        """An argument as sent (text is stripped unless ``strip=False``), or ``default``."""
        value = self.service_arguments.get(name, default)
        return value.strip() if strip and isinstance(value, str) else value

    def get_arguments(self, name: str, strip: bool = True) -> list[Any]:
        """The argument as a list: its items if it is one, else itself alone (none: empty)."""
        if name not in self.service_arguments:
            return []
        value = self.service_arguments[name]
        values = value if isinstance(value, list) else [value]
        return [v.strip() if strip and isinstance(v, str) else v for v in values]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} {self.path} id={self.conn_id}>"


class ServiceResponse(ServiceRequest):
    """A service's reply: ``status_code``, ``status_msg``, and ``body``, the service's payload."""

    def __init__(
        self,
        path: str,
        method: str,
        status_code: int,
        status_msg: str | None,
        headers: dict[str, Any],
        payload: dict[str, Any],
        sender: str,
        request_id: str,
    ) -> None:
        super().__init__(path, method, {}, headers, payload, sender, request_id)
        self.status_code = status_code
        self.status_msg = status_msg

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.body)


# -- the service's handlers ----------------------------------------------------------------------


class ServiceMessageHandler(MessageHandler):
    """A handler for service messages: ``request(self)``, ``response(self)``, ``get(self)``...

    ``add_to_payload(key, value)`` fills the JSON reply; ``set_status(code, message)`` its status.
    On a caller, a handler of a reply starts with the reply's status (``self.status_code``,
    ``self.status_msg``) and its payload in ``self.message.body``.
    """

    def __init__(self, application: Any, message: Request, *args: str, **kwargs: str) -> None:
        super().__init__(application, message, *args, **kwargs)
        if isinstance(message, ServiceResponse):
            self.set_status(message.status_code, message.status_msg)

    def render(self, status_code: int | None = None, status_msg: str | None = None, **kwargs: Any) -> Response:
        """The reply: the payload as JSON, with the status set."""
        if status_code is not None:
            self.set_status(status_code, status_msg)
        return Response(json_bytes(self._payload), self.status_code, None, {"Content-Type": "application/json"})

    def unsupported(self, *args: str, **kwargs: str) -> Response:
        """What answers a ``METHOD`` the handler has no method for: 405."""
        self.set_status(405, f"{self.message.method} is not supported here")
        return self.render()

    def __call__(self) -> Response | None:
        """Run the method ``METHOD`` names; errors become the reply's status, never a lost reply."""
        try:
            result = self.prepare()
            if result is None:
                name = self.message.method.lower()
                function = getattr(self, name, None) if name in SERVICE_METHODS else None
                if not callable(function):
                    function = self.unsupported
                result = function(*self._url_args, **self._url_kwargs)
            return result if isinstance(result, Response) else self.render()
        except HTTPError as error:
            self.set_status(error.status, error.message)
            return self.render()
        except Exception:
            log.exception(
                "Unhandled error in %s for %s %s", type(self).__name__, self.message.method, self.message.path
            )
            self.clear_payload()
            self.set_status(500, "The service failed to handle the request.")
            return self.render()
        finally:
            try:
                self.on_finish()
            except Exception:
                log.exception("Error in %s.on_finish", type(self).__name__)


def _reply_method(handler: MessageHandler) -> str:
    headers: Any = handler.headers
    method = headers.get("METHOD") if hasattr(headers, "get") else None
    return method if isinstance(method, str) and method else "response"


def _run_service_handler(app: _App, message: ServiceRequest) -> MessageHandler | None:
    """Route ``message`` by path to its handler class and run it; ``None``: no such route."""
    match = app.router.match(message.path)
    handler_class = match.route.handler if match is not None else None
    if match is None or not isinstance(handler_class, type) or not issubclass(handler_class, MessageHandler):
        return None
    handler = handler_class(app, message, *match.args, **match.kwargs)  # type: ignore[arg-type]
    handler()
    return handler


# -- the service's connection --------------------------------------------------------------------


def default_response_addr(addr: str) -> str:
    """The response address when only the service address is given: ``ipc://run/slow`` answers
    on ``ipc://run/slow_response``, ``tcp://host:9000`` on ``tcp://host:9001``."""
    parts = urlsplit(addr)
    if parts.scheme == "tcp" and parts.port is not None:
        return f"tcp://{parts.hostname}:{parts.port + 1}"
    return addr + "_response"


def _make_ipc_folder(addr: str) -> None:
    if addr.startswith("ipc://"):
        folder = os.path.dirname(addr[len("ipc://") :])
        if folder:
            os.makedirs(folder, exist_ok=True)


def _wait_readable(sock: Any, timeout: float) -> None:
    """Wait until ``sock`` has a message queued or ``timeout`` passed (ZeroMQ's descriptor signals edges)."""
    if not sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
        concurrency.wait_readable(sock.getsockopt(zmq.FD), timeout)


class ServiceConnection:
    """The ``msg_conn`` of a service: requests from callers instead of Mongrel2.

    ``ServiceConnection(addr, response_addr, passphrase)`` connects a PULL socket to ``addr``
    (where callers bind their PUSH socket) and a PUSH socket to ``response_addr`` (where they
    bind their PULL socket).  ``ServiceConnection(addr, passphrase)`` answers on
    :func:`default_response_addr`.  Each request runs in a greenlet of its own; :meth:`stop`
    takes no new ones and lets the running ones finish (at most ``drain_timeout`` seconds).
    """

    LINGER = 1000

    def __init__(
        self, addr: str, response_addr: str, passphrase: str | None = None, *, drain_timeout: float = 8.0
    ) -> None:
        if passphrase is None:  # ServiceConnection(addr, passphrase)
            response_addr, passphrase = default_response_addr(addr), response_addr
        self.addr = addr
        self.response_addr = response_addr
        self.passphrase = passphrase
        self.drain_timeout = drain_timeout
        self.in_sock: Any = None
        self.out_sock: Any = None
        self._context: Any = None
        self._spawner = concurrency.ReusingSpawner()
        self._running = 0
        self._stopping = False

    def connect(self) -> None:
        self._context = zmq.Context()
        self.out_sock = self._context.socket(zmq.PUSH)
        self.out_sock.setsockopt(zmq.LINGER, self.LINGER)
        self.out_sock.connect(self.response_addr)
        self.in_sock = self._context.socket(zmq.PULL)
        self.in_sock.connect(self.addr)

    def process_messages(self, app: Any) -> None:
        """Receive requests until :meth:`stop`, each handled in a greenlet of its own; then drain."""
        if self.in_sock is None:
            self.connect()
        log.info("Serving service requests from %s, replying to %s", self.addr, self.response_addr)
        while not self._stopping:
            try:
                message = self.in_sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                _wait_readable(self.in_sock, _IDLE_WAIT)
                continue
            self._spawner.spawn(self.handle_message, app, message)
        self.in_sock.close(linger=0)
        deadline = time.monotonic() + self.drain_timeout
        while self._running and time.monotonic() < deadline:
            concurrency.sleep(0.01)

    def stop(self) -> None:
        """Take no new request; :meth:`process_messages` returns once the running ones are done."""
        self._stopping = True

    def close(self) -> None:
        """Close the sockets, giving the last replies :attr:`LINGER` ms to leave."""
        if self.out_sock is not None:
            self.out_sock.close()
        if self.in_sock is not None:
            self.in_sock.close(linger=0)
        if self._context is not None:
            self._context.term()

    def handle_message(self, app: Any, message: bytes) -> None:
        """Check one request, run its handler and send the reply."""
        self._running += 1
        try:
            self._handle(app, message)
        finally:
            self._running -= 1

    def _handle(self, app: Any, message: bytes) -> None:
        try:
            frame = service_wire.decode(message, service_wire.REQUEST)
        except service_wire.WireError as error:
            log.warning("Refused a message that is not a service request (%s): %r", error, message[:200])
            return
        if not service_wire.passphrase_matches(frame["passphrase"], self.passphrase):
            log.warning(
                "Refused a service request with a wrong passphrase: %s %s from %s",
                frame["METHOD"],
                frame["path"],
                frame["sender"],
            )
            return
        request = ServiceRequest(
            frame["path"],
            frame["METHOD"],
            frame["arguments"],
            frame["headers"],
            frame["body"],
            frame["sender"],
            frame["id"],
        )
        started = time.perf_counter()
        handler = _run_service_handler(app, request)
        if handler is None:
            log.warning("No service route for %s %s", request.method, request.path)
            status, method, headers, payload = 404, "response", {}, {}
            status_msg: str | None = "No such service"
        else:
            status, status_msg, method = handler.status_code, handler.status_msg, _reply_method(handler)
            headers, payload = _plain_headers(handler.headers), dict(handler._payload)
        log.info("%s %s %s %.1fms", request.method, request.path, status, (time.perf_counter() - started) * 1000)
        reply = service_wire.reply_frame(
            request.sender, request.conn_id, self.passphrase, request.path, method, status, status_msg, headers, payload
        )
        try:
            self.out_sock.send_multipart([request.sender.encode(), reply], zmq.NOBLOCK)
        except zmq.Again:
            log.warning("Reply to %s dropped: its caller's queue is full", request.sender)


def _plain_headers(headers: Any) -> dict[str, Any]:
    try:
        return {str(k): v for k, v in dict(headers).items()}
    except (TypeError, ValueError):
        return {}


# -- the caller's side ------------------------------------------------------------------------------


class _Waiter:
    """One synchronous call waiting for its reply."""

    def __init__(self) -> None:
        self.event = concurrency.Event()
        self.response: ServiceResponse | None = None


class _ServiceClient:
    """A caller's socket pair for one service address, its reply listener, and what waits for replies."""

    def __init__(self, app: _App, addr: str, response_addr: str, passphrase: str, handle: bool, hub: bool) -> None:
        self.app = app
        self.addr = addr
        self.response_addr = response_addr
        self.passphrase = passphrase
        self.handle = handle
        self.sender = service_wire.new_id()
        self.waiters: dict[str, _Waiter] = {}
        self.unawaited: dict[str, float] = {}  # request id -> when it was sent without waiting
        self._closed = False
        self._listening = concurrency.Event()  # set once the listener has returned
        _make_ipc_folder(addr)
        _make_ipc_folder(response_addr)
        self.context = zmq.Context()
        self.out_sock = self.context.socket(zmq.PUSH)
        self.out_sock.setsockopt(zmq.LINGER, 0)
        self.in_sock = self.context.socket(zmq.DEALER if hub else zmq.PULL)
        try:
            if hub:
                self.in_sock.setsockopt(zmq.ROUTING_ID, self.sender.encode())  # the hub routes replies by it
                self.out_sock.connect(addr)
                self.in_sock.connect(response_addr)
            else:
                self.out_sock.bind(addr)
                self.in_sock.bind(response_addr)
        except zmq.ZMQError:
            self._listening.set()
            self.close()
            raise
        concurrency.spawn(self._listen)

    def send(self, request: ServiceRequest, deadline: float | None) -> None:
        """Send ``request``; with a deadline, wait (cooperatively) for a service to connect until then."""
        frame = service_wire.request_frame(
            self.sender,
            request.conn_id,
            self.passphrase,
            request.path,
            request.method,
            request.service_arguments,
            request.service_headers,
            request.body,
        )
        while True:
            try:
                self.out_sock.send(frame, zmq.NOBLOCK)
                return
            except zmq.Again:  # no service connected (or all their queues full)
                if deadline is None or time.monotonic() >= deadline:
                    raise
                concurrency.sleep(_SEND_RETRY)

    def _listen(self) -> None:
        try:
            self._receive()
        finally:
            self._listening.set()

    def _receive(self) -> None:
        sock = self.in_sock
        while not self._closed:
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                _wait_readable(sock, _IDLE_WAIT)
                continue
            except zmq.ZMQError:
                if self._closed:
                    return
                raise
            self._deliver(frames[-1])  # a reply is [caller id, frame]; through a hub, the frame alone

    def _deliver(self, message: bytes) -> None:
        try:
            frame = service_wire.decode(message, service_wire.REPLY)
        except service_wire.WireError as error:
            log.warning("Dropped a message from %s that is not a service reply (%s)", self.response_addr, error)
            return
        if not service_wire.passphrase_matches(frame["passphrase"], self.passphrase):
            log.warning("Dropped a reply from %s with a wrong passphrase", self.response_addr)
            return
        response = ServiceResponse(
            frame["path"],
            frame["METHOD"],
            frame["status"],
            frame["status_msg"],
            frame["headers"],
            frame["payload"],
            frame["sender"],
            frame["id"],
        )
        waiter = self.waiters.pop(response.conn_id, None) if response.sender == self.sender else None
        if waiter is not None:
            waiter.response = response
            waiter.event.set()
            return
        sent = self.unawaited.pop(response.conn_id, None) if response.sender == self.sender else None
        if sent is not None:
            if self.handle:
                concurrency.spawn(handle_reply, self.app, response)
            return
        log.warning(
            "Dropped a late or unknown reply from %s: %s %s id=%s (its caller gave up, or never sent it)",
            self.addr,
            response.method,
            response.path,
            response.conn_id,
        )

    def forget_old(self) -> None:
        """Forget requests sent without waiting whose reply never came (after :data:`NOWAIT_MEMORY`)."""
        oldest = time.monotonic() - NOWAIT_MEMORY
        for request_id in [i for i, sent in self.unawaited.items() if sent < oldest]:
            del self.unawaited[request_id]

    def close(self) -> None:
        """Stop the listener (it must not wait on a closed socket), then close the sockets."""
        self._closed = True
        self._listening.wait(2 * _IDLE_WAIT + 1)
        self.out_sock.close(linger=0)
        self.in_sock.close(linger=0)
        self.context.term()


def handle_reply(app: _App, response: ServiceResponse) -> Response | None:
    """Answer a reply with the caller's route for its path (a :class:`ServiceMessageHandler`): what
    that handler returned, or ``None`` without such a route."""
    match = app.router.match(response.path)
    handler_class = match.route.handler if match is not None else None
    if not isinstance(handler_class, type) or not issubclass(handler_class, ServiceMessageHandler):
        log.debug("No service route for the reply %s %s", response.method, response.path)
        return None
    assert match is not None
    return handler_class(app, response, *match.args, **match.kwargs)()


def _clients(app: Any) -> dict[str, _ServiceClient]:
    resources = getattr(app, _RESOURCES, None)
    if resources is None:
        resources = {}
        setattr(app, _RESOURCES, resources)
    clients: dict[str, _ServiceClient] = resources.setdefault("services", {})
    return clients


def close_services(app: Any) -> None:
    """Close every service socket pair ``app`` opened (for tests, and processes that stop)."""
    clients = _clients(app)
    for client in clients.values():
        client.close()
    clients.clear()


class ServiceClientMixin:
    """Service calls from any handler (it needs ``self.application``; ``self.message`` is optional)."""

    application: Any

    def register_service(
        self,
        service_addr: str,
        service_resp_addr: str,
        service_passphrase: str | None = None,
        handle: bool = True,
        *,
        hub: bool = False,
    ) -> None:
        """Open this process's socket pair for ``service_addr`` once (later calls do nothing).

        ``register_service(addr, passphrase)`` answers on :func:`default_response_addr`.  With
        ``handle`` a reply also goes through this app's route for its path.  With ``hub`` the
        two addresses are a :mod:`brubeck.service_hub`'s callers' side, connected to, not bound;
        requests sent while the hub is not there wait for it.
        """
        if service_passphrase is None:
            service_resp_addr, service_passphrase = default_response_addr(service_addr), service_resp_addr
        clients = _clients(self.application)
        if service_addr not in clients:
            clients[service_addr] = _ServiceClient(
                self.application, service_addr, service_resp_addr, service_passphrase, handle, hub
            )
            log.info("Calling the service at %s (replies at %s)", service_addr, service_resp_addr)

    def unregister_service(self, service_addr: str) -> None:
        """Close the socket pair for ``service_addr``."""
        client = _clients(self.application).pop(service_addr, None)
        if client is not None:
            client.close()

    def create_service_request(
        self,
        path: str,
        method: str = "request",
        arguments: dict[str, Any] | None = None,
        msg: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
    ) -> ServiceRequest:
        """A request for the service's route ``path`` and its handler's method ``method``."""
        return ServiceRequest(path, method, arguments, headers, msg)

    def _client(self, service_addr: str) -> _ServiceClient:
        client = _clients(self.application).get(service_addr)
        if client is None:
            raise ValueError(f"register_service({service_addr!r}, ...) first")
        return client

    def send_service_request(
        self, service_addr: str, service_req: ServiceRequest, handle: bool = True, timeout: float | None = None
    ) -> tuple[ServiceResponse, Response | None]:
        """Send ``service_req`` and wait for its reply (other requests go on meanwhile).

        Returns ``(response, handler_response)``: the reply (``response.body`` is the service's
        payload) and what this app's route for its path returned (``None`` without one, or
        with ``handle=False``).  Raises :class:`ServiceTimeout` after ``timeout`` seconds (the
        app's ``service_timeout`` setting by default).
        """
        client = self._client(service_addr)
        if timeout is None:
            timeout = float(self.application.settings.get("service_timeout", DEFAULT_TIMEOUT))
        request_id = service_wire.new_id()
        service_req.conn_id, service_req.sender = request_id, client.sender
        waiter = client.waiters[request_id] = _Waiter()
        deadline = time.monotonic() + timeout
        try:
            client.send(service_req, deadline)
            waiter.event.wait(max(0.0, deadline - time.monotonic()))
        except zmq.Again:
            pass
        finally:
            client.waiters.pop(request_id, None)
        response = waiter.response
        if response is None:
            log.warning("No reply from the service at %s within %g s (%s)", service_addr, timeout, service_req.path)
            raise ServiceTimeout(service_addr, timeout)
        handled = handle_reply(self.application, response) if handle and client.handle else None
        return response, handled

    def send_service_request_nowait(self, service_addr: str, service_req: ServiceRequest) -> bool:
        """Send ``service_req`` without waiting; its reply goes to this app's route for its path.

        Returns False (and logs) when no service process is connected: the request is not sent.
        Through a hub (``hub=True``), a request waits in this process until the hub is there (up to
        ZeroMQ's high-water mark, 1,000 requests), so the hub may be started after its callers, or again.
        """
        client = self._client(service_addr)
        client.forget_old()
        request_id = service_wire.new_id()
        service_req.conn_id, service_req.sender = request_id, client.sender
        client.unawaited[request_id] = time.monotonic()
        try:
            client.send(service_req, None)
        except zmq.Again:
            del client.unawaited[request_id]
            log.warning(
                "No service connected at %s: %s %s not sent", service_addr, service_req.method, service_req.path
            )
            return False
        return True
