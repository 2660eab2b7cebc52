"""brubeck.testing.TestClient: an app driven in this process like a browser would."""

import gevent
import pytest

from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from brubeck.responses import Response
from brubeck.templating import Jinja2Rendering, load_jinja2_env
from brubeck.testing import TestClient


class Form(Jinja2Rendering):
    def get(self):
        return self.render_template("form.html", name=self.get_cookie("name", secret=self.application.cookie_secret))

    def post(self):
        self.set_cookie("name", self.get_argument("name"), secret=self.application.cookie_secret)
        return self.redirect("/form")


class Forget(WebMessageHandler):
    def post(self):
        self.delete_cookie("name")
        return self.redirect("/form")


class Echo(JSONMessageHandler):
    def post(self):
        upload = self.message.files.get("doc", [None])[0]
        self.add_to_payload("json", self.message.json)
        self.add_to_payload("title", self.get_argument("title"))
        self.add_to_payload("file", [upload.filename, upload.content_type, upload.body.decode()] if upload else None)
        self.add_to_payload("host", self.message.host)


class Wait(WebMessageHandler):
    def get(self):
        return self.hold("room", "key", float(self.get_argument("timeout")))


@pytest.fixture
def client(tmp_path):
    (tmp_path / "form.html").write_text("<p>{{ name }}</p><form>{{ csrf_field() }}</form>")
    app = Brubeck(
        cookie_secret="test",
        template_loader=load_jinja2_env(str(tmp_path)),
        handler_tuples=[(r"/form", Form), (r"/forget", Forget), (r"/echo", Echo), (r"/wait", Wait)],
    )
    return TestClient(app)


def test_a_form_post_with_its_csrf_token_sets_a_cookie_the_next_request_sends(client):
    response = client.post_form("/form", {"name": "Dave"})
    assert (response.status, response.location) == (302, "/form")
    assert client.get("/form").text.startswith("<p>Dave</p>")


def test_follow_redirects_lands_on_the_page(client):
    page = client.post_form("/form", {"name": "Paul"}, follow_redirects=True)
    assert page.status == 200
    assert page.text.startswith("<p>Paul</p>")


def test_a_post_without_the_token_is_refused(client):
    assert client.post("/form", data={"name": "Eve"}).status == 403


def test_a_deleted_cookie_is_forgotten(client):
    client.post_form("/form", {"name": "Dave"})
    assert "name" in client.cookies
    client.post_form("/forget", {}, form_url="/form")
    assert "name" not in client.cookies
    assert client.get("/form").text.startswith("<p>None</p>")


def test_json_files_and_form_fields(client):
    echoed = client.post("/echo", json={"a": [1, 2]}, headers={"X-CSRF-Token": client.csrf_token("/form")}).json()
    assert (echoed["json"], echoed["host"]) == ({"a": [1, 2]}, "localhost")
    uploaded = client.post(
        "/echo",
        data={"title": "Report", "_csrf": client.csrf_token("/form")},
        files={"doc": ("r.txt", b"line one", "text/plain")},
    ).json()
    assert (uploaded["title"], uploaded["file"]) == ("Report", ["r.txt", "text/plain", "line one"])


def test_a_held_request_waits_for_its_release_as_under_wsgi(client):
    waiting = gevent.spawn(client.get, "/wait?timeout=5")
    gevent.sleep(0.01)
    assert client.app.release("room", "key", Response("news", 200)) == 1
    assert (waiting.get(timeout=1).status, waiting.get().text) == (200, "news")
    assert client.get("/wait?timeout=0.01").status == 204  # nobody released it


def test_head_has_no_body(client):
    response = client.head("/form")
    assert response.status == 200 and response.body == b""


def test_a_page_without_a_form_has_no_token(client):
    with pytest.raises(AssertionError, match="no CSRF field on /nowhere"):
        client.csrf_token("/nowhere")


class WhoAsked(JSONMessageHandler):
    def get(self):
        self.add_to_payload("host", self.message.host)
        self.add_to_payload("q", self.get_arguments("q"))
        self.add_to_payload("token", self.message.headers.get("authorization"))


def test_absolute_urls_params_and_default_headers() -> None:
    client = TestClient(Brubeck(handler_tuples=[(r"/who", WhoAsked)]), headers={"Authorization": "Token k"})
    answer = client.get("http://api.example.test/who?q=a", params={"q": ["b", "c"]})
    assert answer.status_code == answer.status == 200
    assert answer.json() == {"host": "api.example.test", "q": ["a", "b", "c"], "token": "Token k"}
