"""Mongrel2 frames and request bodies."""

import json
import logging
import time

import gevent
import pytest

from brubeck.connections import Mongrel2Connection
from brubeck.exceptions import HTTPError
from brubeck.mongrel2 import (
    UPLOAD_DONE,
    UPLOAD_START,
    FrameError,
    closes_after,
    is_disconnect,
    parse_request,
    reply_frames,
    split_frame,
)
from brubeck.request import MAX_JSON_BYTES
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from tests.support.brubeck_requests import FakeSocket, form_req, frame, json_body, json_req, netstring, req

# -- Mongrel2 frames ---------------------------------------------------------------------


def test_split_frame_reads_headers_and_body():
    sender, conn_id, path, headers, body = split_frame(
        frame({"METHOD": "POST", "host": "a.localhost"}, b"x=1", sender="abc", conn_id="42", path="/submit")
    )
    assert (sender, conn_id, path) == ("abc", "42", "/submit")
    assert headers == {"METHOD": "POST", "host": "a.localhost"}
    assert body == b"x=1"


def test_list_valued_headers_are_joined():
    parsed = parse_request(frame({"accept": ["text/html", "application/json"], "METHOD": ["GET"]}))
    assert parsed.headers["accept"] == "text/html, application/json"
    assert parsed.method == "GET"


@pytest.mark.parametrize("body", [b"a b, c,d 5:x,", b"", b"0:,", b"10:hello,"])
def test_body_may_contain_spaces_commas_and_netstrings(body):
    assert split_frame(frame({"METHOD": "POST"}, body))[4] == body


@pytest.mark.parametrize(
    "message",
    [
        b"",
        b"only three fields",
        b"S 1 / 5:hello,0:,",  # headers are not JSON
        b"S 1 / 2:[],0:,",  # headers are not an object
        b"S 1 / 2:{},0:,extra",  # bytes after the body
        b"S 1 / 2:{},10:short,",  # truncated body
        b"S 1 / 2:{},5:hello",  # body lacks its comma
        b"S 1 / 2:{}0:,",  # headers lack their comma
        b"S 1 / x:{},0:,",  # headers' length not a number
        b"S 1 / -2:{},0:,",  # negative length
        b"S 1 / 2{},0:,",  # no colon
        b"S 1 / 99999999999:{},0:,",  # absurdly long length
        b"S 1 / 2:{},x:,",  # body's length not a number
        b"S \xff / 2:{},0:,",  # conn id is not text
    ],
)
def test_garbage_frames_raise_frame_error(message):
    with pytest.raises(FrameError):
        split_frame(message)
    with pytest.raises(FrameError):
        parse_request(message)


def raw_frame(raw_headers, body=b"", sender=b"S", conn_id=b"7", path=b"/"):
    """A frame whose headers are given as bytes, as Mongrel2 writes them."""
    return b"%s %s %s " % (sender, conn_id, path) + netstring(raw_headers) + netstring(body)


def test_headers_with_a_raw_tab_are_read():
    """Mongrel2 leaves a TAB raw inside a JSON string; JSON forbids it, the parser takes it."""
    request = parse_request(raw_frame(b'{"METHOD":"GET","PATH":"/","user-agent":"a\tb","x-ctl":"a\x01b"}'))
    assert request.headers["user-agent"] == "a\tb"
    assert request.headers["x-ctl"] == "a\x01b"


def test_bytes_that_are_not_utf8_are_read_as_latin1_and_utf8_stays_utf8():
    message = raw_frame(b'{"METHOD":"GET","cookie":"x=caf\xe9","x-name":"Zo\xc3\xab"}', path=b"/caf\xe9")
    request = parse_request(message)
    assert request.cookies == {"x": "café"}
    assert request.headers["x-name"] == "Zoë"
    assert split_frame(message)[2] == request.path == "/café"


def test_a_frame_that_cannot_be_read_keeps_its_sender_and_connection_id():
    with pytest.raises(FrameError) as raised:
        split_frame(b"S 12 / 5:hello,0:,")
    assert (raised.value.sender, raised.value.conn_id) == ("S", "12")
    with pytest.raises(FrameError) as raised:
        split_frame(b"only-one-field")
    assert (raised.value.sender, raised.value.conn_id) == ("", "")


def test_request_from_frame():
    headers = {
        "METHOD": "GET",
        "PATH": "/caf%C3%A9",
        "QUERY": "a=1",
        "VERSION": "HTTP/1.0",
        "URI": "/caf%C3%A9?a=1",
        "host": "x.localhost",
        "x-forwarded-for": "10.0.0.1, 10.0.0.2",
    }
    request = parse_request(frame(headers, sender="S1", conn_id="9"))
    assert request.method == "GET"
    assert request.path == "/café"
    assert request.query_arguments == {"a": ["1"]}
    assert request.version == "HTTP/1.0"
    assert request.remote_addr == "10.0.0.1"
    assert request.headers == {"host": "x.localhost", "x-forwarded-for": "10.0.0.1, 10.0.0.2"}
    assert (request.sender, request.conn_id) == ("S1", "9")
    assert not is_disconnect(request)


def test_disconnect_message():
    message = frame({"METHOD": "JSON", "PATH": "@*"}, b'{"type":"disconnect"}', path="@*")
    assert is_disconnect(parse_request(message))


@pytest.mark.parametrize(
    "method, body",
    [
        ("JSON", b'{"type":"other"}'),
        ("JSON", b"[1, 2]"),
        ("JSON", b"not json"),
        ("POST", b'{"type":"disconnect"}'),
    ],
)
def test_not_a_disconnect(method, body):
    assert not is_disconnect(parse_request(frame({"METHOD": method}, body)))


# -- the connection ----------------------------------------------------------------------------


def hello(application, message):
    return "hello " + message.path


@pytest.fixture
def conn():
    connection = Mongrel2Connection("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
    connection.out_sock = FakeSocket()
    return connection


def test_handle_message_drops_garbage_then_answers(conn, caplog):
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    with caplog.at_level(logging.WARNING, logger="brubeck.connections"):
        conn.handle_message(app, b"this is not a frame")
    assert conn.out_sock.sent == []
    assert any(r.levelno == logging.WARNING and "malformed" in r.getMessage() for r in caplog.records)

    conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello"}, sender="S", conn_id="7"))
    gevent.sleep(0)
    [reply] = conn.out_sock.sent
    assert reply.startswith(b"S 1:7, HTTP/1.1 200 OK\r\n")
    assert reply.endswith(b"\r\n\r\nhello /hello")


def test_handle_message_head_reply_has_no_body(conn):
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    conn.handle_message(app, frame({"METHOD": "HEAD", "PATH": "/hello"}))
    gevent.sleep(0)
    [reply] = conn.out_sock.sent
    assert b"Content-Length: 12\r\n" in reply
    assert reply.endswith(b"\r\n\r\n")


def test_replies_of_one_turn_are_published_together_in_order(conn):
    conn.MAX_REPLY_DELAY = 60  # no flush for a slow turn: on a busy machine a turn may take over 2 ms
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    for conn_id in ("1", "2", "3"):
        conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello"}, sender="S", conn_id=conn_id))
    conn.reply_bulk("S", ["4"], b"")
    assert conn.out_sock.sent == []  # queued until the ready greenlets have run
    gevent.sleep(0)
    assert [raw.split(b",", 1)[0] for raw in conn.out_sock.sent] == [b"S 1:1", b"S 1:2", b"S 1:3", b"S 1:4"]
    assert conn.out_sock.sent[-1] == b"S 1:4, "
    conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello"}, sender="S", conn_id="5"))
    gevent.sleep(0)
    assert len(conn.out_sock.sent) == 5  # a later turn is published too


def test_a_reply_does_not_wait_long_for_the_rest_of_its_batch(conn):
    conn.publish(b"S 1:1, first")
    deadline = time.monotonic() + 2 * conn.MAX_REPLY_DELAY
    while time.monotonic() < deadline:  # a slow handler: busy, no yield
        pass
    conn.publish(b"S 1:2, second")
    assert conn.out_sock.sent == [b"S 1:1, first", b"S 1:2, second"]  # sent without waiting for the hub
    gevent.sleep(0)
    assert len(conn.out_sock.sent) == 2  # and not twice


def test_handle_message_disconnect_sends_nothing(conn):
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    conn.handle_message(app, frame({"METHOD": "JSON", "PATH": "@*"}, b'{"type":"disconnect"}', path="@*"))
    assert conn.out_sock.sent == []


def test_a_frame_whose_headers_cannot_be_read_is_answered_400_and_closed(conn):
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    conn.handle_message(app, b"S 12 / 9:{not json,0:,")
    gevent.sleep(0)
    reply, close = conn.out_sock.sent
    assert reply.startswith(b"S 2:12, HTTP/1.1 400 Bad Request\r\nConnection: close\r\n")
    assert close == b"S 2:12, "


@pytest.mark.parametrize(
    "version, connection, closes",
    [
        ("HTTP/1.1", None, False),
        ("HTTP/1.1", "keep-alive", False),
        ("HTTP/1.1", "close", True),
        ("HTTP/1.1", "Keep-Alive, Close", True),
        ("HTTP/1.0", None, True),
        ("HTTP/1.0", "keep-alive", False),
        ("HTTP/1.0", "Keep-Alive", False),
        ("HTTP/1.0", "close", True),
    ],
)
def test_closes_after(version, connection, closes):
    headers = {"connection": connection} if connection else {}
    assert closes_after(req(headers=headers, version=version)) is closes


def test_the_connection_closes_after_the_reply_when_the_client_asks(conn):
    app = Brubeck(handler_tuples=[(r"/hello", hello)])
    conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello", "connection": "close"}, conn_id="3"))
    conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello", "VERSION": "HTTP/1.0"}, conn_id="4"))
    conn.handle_message(app, frame({"METHOD": "GET", "PATH": "/hello"}, conn_id="5"))
    gevent.sleep(0)
    first, close_3, second, close_4, third = conn.out_sock.sent
    assert first.startswith(b"S 1:3, HTTP/1.1 200 OK\r\nConnection: close\r\n")
    assert second.startswith(b"S 1:4, HTTP/1.1 200 OK\r\nConnection: close\r\n")
    assert (close_3, close_4) == (b"S 1:3, ", b"S 1:4, ")
    assert third.startswith(b"S 1:5, HTTP/1.1 200 OK\r\n") and b"Connection" not in third


# -- bodies Mongrel2 streamed to a file (x-mongrel2-upload-start / -done) ------------------------------------------


class TakesUploads(WebMessageHandler):
    csrf_protect = False
    max_upload_size = 1000

    def post(self):
        self.set_body(b"got %d: %s" % (len(self.message.body), self.message.body[:5]))
        self.headers["X-Upload-Headers"] = str(sorted(k for k in self.message.headers if "mongrel2" in k))


def count_body(application, message):
    return f"{len(message.body)} bytes"


UPLOAD_NAME = "tmp/mongrel2.upload.Ab12Cd"


@pytest.fixture
def uploads(tmp_path):
    """(connection reading uploads from tmp_path, app, the upload file's path)."""
    connection = Mongrel2Connection("tcp://127.0.0.1:1", "tcp://127.0.0.1:2", chroot=str(tmp_path))
    connection.out_sock = FakeSocket()
    app = Brubeck(handler_tuples=[(r"/upload", TakesUploads), (r"/count", count_body)])
    app.add_route_rule(r"/count", count_body, method="POST")
    (tmp_path / "tmp").mkdir()
    return connection, app, tmp_path / UPLOAD_NAME


def upload_frames(path, length="200000", name=UPLOAD_NAME):
    """Mongrel2's start and done messages for a POST to ``path`` (``length`` None: chunked)."""
    headers = {"METHOD": "POST", "PATH": path, UPLOAD_START: name}
    headers.update({"content-length": length} if length is not None else {"transfer-encoding": "chunked"})
    return frame(headers, conn_id="9"), frame({**headers, UPLOAD_DONE: name}, conn_id="9")


def sent(connection):
    gevent.sleep(0.05)  # the replies are published once the ready greenlets (and the file read) are done
    return connection.out_sock.sent


@pytest.mark.parametrize(
    "path, length, status",
    [
        ("/count", "200000", b"413 Request Entity Too Large"),  # a route without uploads
        ("/count", None, b"411 Length Required"),  # ... and a chunked body, whatever its size
        ("/nowhere", "200000", b"413 Request Entity Too Large"),
        ("/upload", "1001", b"413 Request Entity Too Large"),  # over the handler's max_upload_size
    ],
)
def test_a_refused_upload_is_answered_at_the_start_once_and_its_file_deleted(uploads, path, length, status):
    connection, app, file = uploads
    file.write_bytes(b"x" * 1001)
    start, done = upload_frames(path, length)
    connection.handle_message(app, start)
    refusal, close = sent(connection)
    assert refusal.startswith(b"S 1:9, HTTP/1.1 " + status + b"\r\nConnection: close\r\n")
    assert close == b"S 1:9, "
    connection.handle_message(app, done)  # the body was stored before Mongrel2 got the refusal
    assert len(sent(connection)) == 2  # no second answer
    assert not file.exists()


def test_the_done_message_of_a_refused_upload_deletes_nothing_when_mongrel2_did(uploads):
    connection, app, file = uploads
    connection.handle_message(app, upload_frames("/count")[1])
    assert sent(connection) == []


@pytest.mark.parametrize("length", ["10", None], ids=["content-length", "chunked"])
def test_an_accepted_upload_is_answered_once_with_the_files_content(uploads, length):
    connection, app, file = uploads
    file.write_bytes(b"0123456789")
    start, done = upload_frames("/upload", length)
    connection.handle_message(app, start)
    assert sent(connection) == []  # the start of an accepted body is not answered
    assert file.exists()
    connection.handle_message(app, done)
    [reply] = sent(connection)
    assert reply.startswith(b"S 1:9, HTTP/1.1 200 OK\r\n")
    assert reply.endswith(b"got 10: 01234")
    assert b"X-Upload-Headers: []" in reply  # the handler sees an ordinary request
    assert not file.exists()


def test_a_request_mongrel2_wrote_into_the_file_closes_the_connection(uploads):
    connection, app, file = uploads
    file.write_bytes(b"0123456789GET / HTTP/1.1\r\n\r\n")  # a pipelined request, swallowed by Mongrel2
    connection.handle_message(app, upload_frames("/upload", "10")[1])
    reply, close = sent(connection)
    assert reply.endswith(b"got 10: 01234")
    assert b"Connection: close" in reply and close == b"S 1:9, "
    assert not file.exists()


def test_a_chunked_body_over_the_limit_is_refused_when_done(uploads):
    connection, app, file = uploads
    file.write_bytes(b"x" * 1001)
    connection.handle_message(app, upload_frames("/upload", None)[1])
    refusal, close = sent(connection)
    assert refusal.startswith(b"S 1:9, HTTP/1.1 413 ")
    assert not file.exists()


def test_an_upload_file_that_cannot_be_read_is_a_500(uploads, caplog):
    connection, app, file = uploads
    connection.handle_message(app, upload_frames("/upload", "10")[1])
    reply, close = sent(connection)
    assert reply.startswith(b"S 1:9, HTTP/1.1 500 ")
    assert "chroot" in caplog.text


@pytest.mark.parametrize("name", ["/etc/passwd", "tmp/mongrel2.upload.../..", "tmp/mongrel2.upload.Ab12C"])
def test_a_clients_own_upload_headers_name_no_file(uploads, name):
    """A client may send x-mongrel2-upload-* headers itself: a name not made from upload.temp_store is no file."""
    connection, app, file = uploads
    file.write_bytes(b"secret")
    start, done = upload_frames("/upload", "10", name=name)
    connection.handle_message(app, done)
    assert sent(connection) == []
    connection.handle_message(app, start)
    refusal, close = sent(connection)
    assert refusal.startswith(b"S 1:9, HTTP/1.1 413 ")
    assert file.read_bytes() == b"secret"


def test_a_clients_own_upload_header_on_a_request_with_a_body_is_an_ordinary_header(uploads):
    connection, app, file = uploads
    file.write_bytes(b"secret")
    message = frame({"METHOD": "POST", "PATH": "/count", UPLOAD_START: UPLOAD_NAME, UPLOAD_DONE: UPLOAD_NAME}, b"abc")
    connection.handle_message(app, message)
    [reply] = sent(connection)
    assert reply.endswith(b"3 bytes")
    assert file.read_bytes() == b"secret"


def test_reply_frames_split_after_128_ids():
    ids = [str(i) for i in range(300)]
    frames = reply_frames("S", ids, b"PAYLOAD")
    assert len(frames) == 3
    seen = []
    for raw in frames:
        sender, rest = raw.split(b" ", 1)
        length, _, rest = rest.partition(b":")
        id_list, rest = rest[: int(length)], rest[int(length) + 1 :]
        assert sender == b"S"
        assert rest == b" PAYLOAD"
        seen.append(id_list.decode().split(" "))
    assert [len(chunk) for chunk in seen] == [128, 128, 44]
    assert sum(seen, []) == ids


def test_reply_frames_one_id():
    assert reply_frames("S", [5], b"x") == [b"S 1:5, x"]


# -- request bodies --------------------------------------------------------------------------


class EchoArguments(WebMessageHandler):
    def get(self):
        self.set_body(json.dumps(self.message.arguments, sort_keys=True))

    post = get


class Upload(WebMessageHandler):
    def post(self):
        [upload] = self.message.files["doc"]
        self.set_body(f"{self.get_argument('title')}|{upload.filename}|{upload.content_type}|{upload.body.decode()}")


class EchoJSON(JSONMessageHandler):
    def post(self):
        self.add_to_payload("got", self.message.json)


@pytest.fixture
def app():
    return Brubeck(
        csrf_protection=False,
        handler_tuples=[
            (r"/args", EchoArguments),
            (r"/upload", Upload),
            (r"/json", EchoJSON),
        ],
    )


def multipart_body(boundary="XyZ"):
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="title"\r\n\r\n'
        "My report\r\n"
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="doc"; filename="r.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "line one\nline two\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def test_query_string(app):
    response = app.handle(req("GET", "/args?a=1&b=&a=2&c=%C3%A9"))
    assert json_body(response) == {"a": ["1", "2"], "b": [""], "c": ["é"]}


def test_urlencoded_body_merges_with_query(app):
    response = app.handle(form_req("/args?a=q", {"a": "form", "b": "x y"}))
    assert json_body(response) == {"a": ["q", "form"], "b": ["x y"]}


def test_multipart_with_file(app):
    body, headers = multipart_body()
    response = app.handle(req("POST", "/upload", headers, body))
    assert response.status == 200
    assert response.body == b"My report|r.txt|text/plain|line one\nline two"


def test_json_body(app):
    response = app.handle(json_req("/json", {"a": [1, 2], "b": "é"}))
    assert response.status == 200
    assert json_body(response) == {"got": {"a": [1, 2], "b": "é"}}


def test_json_of_other_content_type_is_none():
    assert req("POST", "/", {"content-type": "text/plain"}, b"{}").json is None


def test_malformed_json_is_400(app):
    response = app.handle(req("POST", "/json", {"content-type": "application/json"}, b'{"a": '))
    assert response.status == 400
    assert json_body(response) == {"error": {"code": 400, "message": "The request body is not valid JSON."}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"text": "\\udfff"}', "The request body is not valid JSON."),  # a lone surrogate: no text can hold it
        (b'{"text": "caf\xe9"}', "The request body is not valid JSON."),  # not UTF-8
        (b"NaN", "The request body is not valid JSON."),
        (b"[" * 33 + b"]" * 33, "The JSON body nests deeper than 32 levels."),
        (b'{"a": ' * 2000 + b"1" + b"}" * 2000, "The request body is not valid JSON."),  # too deep even to read
    ],
)
def test_json_no_handler_can_use_is_400(app, body, message):
    response = app.handle(req("POST", "/json", {"content-type": "application/json"}, body))
    assert response.status == 400
    assert json_body(response) == {"error": {"code": 400, "message": message}}


def test_json_32_levels_deep_is_read():
    assert req("POST", "/", {"content-type": "application/json"}, b"[" * 32 + b"]" * 32).json is not None


def test_a_json_body_over_a_megabyte_is_413(app):
    body = b'{"text": "' + b"x" * MAX_JSON_BYTES + b'"}'
    response = app.handle(req("POST", "/json", {"content-type": "application/json"}, body))
    assert response.status == 413
    assert json_body(response)["error"]["message"] == "The JSON body is over 1 MB."


def test_a_body_that_cannot_be_read_is_400_once_then_reads_as_empty():
    request = req("POST", "/", {"content-type": "application/x-www-form-urlencoded"}, b"a=\xff")
    with pytest.raises(HTTPError):
        request.get_argument("a")
    assert request.get_argument("a") is None  # what the error page reads
    bad_json = req("POST", "/", {"content-type": "application/json"}, b"{")
    with pytest.raises(HTTPError):
        _ = bad_json.json
    assert bad_json.json is None


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"garbage", "multipart/form-data; boundary=XyZ"),
        (multipart_body()[0][:-12], "multipart/form-data; boundary=XyZ"),  # cut short
        (multipart_body()[0], "multipart/form-data"),  # no boundary
    ],
)
def test_malformed_multipart_is_400(app, body, content_type):
    response = app.handle(req("POST", "/args", {"content-type": content_type}, body))
    assert response.status == 400
    assert b"multipart form" in response.body


def test_non_utf8_form_is_400(app):
    response = app.handle(req("POST", "/args", {"content-type": "application/x-www-form-urlencoded"}, b"a=\xff\xfe"))
    assert response.status == 400
    assert b"not valid UTF-8" in response.body


def test_cookie_header_parsing():
    request = req(headers={"Cookie": 'a=1; b="quoted"; a=2; junk; c=x%20y'})
    assert request.cookies == {"a": "1", "b": "quoted", "c": "x y"}
