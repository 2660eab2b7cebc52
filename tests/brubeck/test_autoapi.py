"""AutoAPI in-process: every route, status code and error, paging, and the OpenAPI document."""

import datetime
import json
import uuid
from typing import ClassVar

import openapi_spec_validator
import pytest
from pydantic import BaseModel, Field

from brubeck import queryset as queryset_module
from brubeck.autoapi import AutoAPIBase
from brubeck.models import BrubeckModel
from brubeck.queryset import DictQueryset
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.testing import TestClient
from tests.support.brubeck_requests import json_body, json_req, req

A = "111b4bb7-55f5-441b-ba25-c7a4fd99442c"
B = "222b4bb7-55f5-441b-ba25-c7a4fd994421"
C = "333b4bb7-55f5-441b-ba25-c7a4fd99442c"


class Todo(BrubeckModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    text: str = Field(min_length=1, max_length=500)
    order: int = 0
    completed: bool = False


class Account(BrubeckModel):
    private_fields: ClassVar[frozenset[str]] = frozenset({"secret"})

    id: int
    name: str
    secret: str = ""


def todo(item_id, text="text", order=0):
    return {"id": item_id, "text": text, "order": order, "completed": False}


@pytest.fixture
def api():
    class TodosAPI(AutoAPIBase):
        model = Todo
        queries = DictQueryset()

        def render(self, **kwargs):  # as in Brubeck's demo: extra keyword arguments reach render
            self.headers["X-Rendered"] = "yes"
            return super().render(hide_status=True, **kwargs)

    return TodosAPI


@pytest.fixture
def app(api):
    app = Brubeck()  # CSRF protection on: the API does not need it (JSON bodies only)
    app.register_api(api)
    return app


def call(app, method, path, data=None, headers=None):
    """(status, parsed JSON body) of a request; ``data`` is sent as JSON."""
    request = req(method, path, headers) if data is None else json_req(path, data, method, headers)
    response = app.handle(request)
    assert response.headers["Content-Type"] == "application/json"
    return response.status, json_body(response)


def error(status, message, fields=None):
    body = {"code": status, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def stored(api):
    return sorted(datum["id"] for _, datum in api.queries.read_all())


# -- create, read, update ------------------------------------------------------------------------


def test_an_empty_list(app):
    assert call(app, "GET", "/todo/") == (200, {"data": [], "next": None})
    assert call(app, "GET", "/todo") == (200, {"data": [], "next": None})


def test_post_to_the_collection_creates_with_a_new_id(app, api):
    status, body = call(app, "POST", "/todo/", {"text": "Watch more bsg"})
    assert status == 201
    created = body["data"]
    assert created == {"id": created["id"], "text": "Watch more bsg", "order": 0, "completed": False}
    assert uuid.UUID(created["id"])
    assert call(app, "GET", f"/todo/{created['id']}/") == (200, {"data": created})
    assert stored(api) == [created["id"]]


def test_post_with_an_existing_id_replaces_the_item(app):
    assert call(app, "POST", "/todo/", todo(A, "first"))[0] == 201
    assert call(app, "POST", "/todo/", todo(A, "second")) == (200, {"data": todo(A, "second")})
    assert call(app, "GET", f"/todo/{A}") == (200, {"data": todo(A, "second")})


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_post_or_put_to_an_id_upserts_it(app, method):
    assert call(app, method, f"/todo/{A}/", todo(A, "new")) == (201, {"data": todo(A, "new")})
    assert call(app, method, f"/todo/{A}/", {"text": "no id in the body"}) == (
        200,
        {"data": todo(A, "no id in the body")},
    )
    assert call(app, method, f"/todo/{A.upper()}/", {"text": "upper case"})[0] == 200  # the same UUID


def test_an_id_in_the_body_must_match_the_url(app, api):
    mismatch = error(400, "The id in the body does not match the URL.", {"id": f"expected {A}"})
    assert call(app, "POST", f"/todo/{A}/", todo(B)) == (400, mismatch)
    assert call(app, "PUT", f"/todo/{A}/", todo("b4bb7-55f5-441b-ba25-c7a4fd994421")) == (400, mismatch)
    assert call(app, "POST", f"/todo/{A}/", todo(None)) == (400, mismatch)
    assert stored(api) == []


@pytest.mark.parametrize(
    ("method", "data"), [("GET", None), ("DELETE", None), ("POST", {"text": "x"}), ("PUT", {"text": "x"})]
)
@pytest.mark.parametrize("ids", ["b4bb7-55f5-441b-ba25-c7a4fd994421", f"{A},nope", f"{A},", "12"])
def test_an_invalid_id_in_the_url_is_refused(app, api, method, data, ids):
    status, body = call(app, method, f"/todo/{ids}/", data)
    assert status == 400
    assert body["error"]["message"].startswith("Not a valid todo id: ")
    assert "UUID" in body["error"]["fields"]["id"]
    assert stored(api) == []


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"text": ""}, {"text": "String should have at least 1 character"}),
        ({"text": "x" * 501}, {"text": "String should have at most 500 characters"}),
        ({"order": 1}, {"text": "Field required"}),
        (
            {"text": "ok", "order": "first", "completed": "perhaps"},
            {
                "order": "Input should be a valid integer, unable to parse string as an integer",
                "completed": "Input should be a valid boolean, unable to interpret input",
            },
        ),
    ],
)
def test_an_invalid_item_is_refused_with_its_fields(app, api, data, fields):
    assert call(app, "POST", "/todo/", data) == (400, error(400, "The todo is not valid.", fields))
    assert call(app, "PUT", f"/todo/{A}/", data) == (400, error(400, "The todo is not valid.", fields))
    assert stored(api) == []


def serving(model, queries=None):
    """An app serving an API of ``model`` (at ``/<model name>/``)."""
    app = Brubeck()
    app.register_api(
        type(
            f"{model.__name__}API",
            (AutoAPIBase,),
            {"model": model, "queries": DictQueryset() if queries is None else queries},
        )
    )
    return app


def test_private_fields_never_leave_the_server():
    queries = DictQueryset()
    app = serving(Account, queries)
    assert call(app, "POST", "/account/", {"id": 1, "name": "mingus", "secret": "hush"}) == (
        201,
        {"data": {"id": 1, "name": "mingus"}},
    )
    assert queries.read_one(1)[1]["secret"] == "hush"  # kept, not shown
    assert call(app, "GET", "/account/1/") == (200, {"data": {"id": 1, "name": "mingus"}})
    assert call(app, "GET", "/account/") == (200, {"data": [{"id": 1, "name": "mingus"}], "next": None})
    assert call(app, "GET", "/account/1,2/") == (
        207,
        {"data": [{"id": 1, "name": "mingus"}], "statuses": [{"id": 1, "status": 200}, {"id": 2, "status": 404}]},
    )  # ids keep their JSON type
    assert call(app, "DELETE", "/account/1/") == (200, {"data": {"id": 1, "name": "mingus"}})
    assert call(app, "GET", "/account/x/")[0] == 400


# -- batches -------------------------------------------------------------------------------------


def test_a_batch_of_new_items_is_created(app):
    status, body = call(app, "POST", "/todo/", [todo(A, "a"), todo(B, "b")])
    assert status == 201
    assert body == {
        "data": [todo(A, "a"), todo(B, "b")],
        "statuses": [{"id": A, "status": 201}, {"id": B, "status": 201}],
    }


def test_a_batch_of_existing_items_is_updated_and_a_mixed_one_is_207(app):
    call(app, "POST", "/todo/", [todo(A), todo(B)])
    assert call(app, "POST", "/todo/", [todo(A, "a2"), todo(B, "b2")])[0] == 200
    status, body = call(app, "POST", "/todo/", [todo(B, "b3"), todo(C, "c")])
    assert status == 207
    assert body["statuses"] == [{"id": B, "status": 200}, {"id": C, "status": 201}]
    assert body["data"] == [todo(B, "b3"), todo(C, "c")]


def test_a_batch_with_an_invalid_item_saves_nothing(app, api):
    call(app, "POST", "/todo/", todo(A, "kept"))
    status, body = call(app, "POST", "/todo/", [todo(A, "changed"), {"text": ""}, "not an object", {"order": 2}])
    assert status == 400
    assert body == error(
        400,
        "Some items are not valid: none was saved.",
        {"1.text": "String should have at least 1 character", "2": "must be a JSON object", "3.text": "Field required"},
    )
    assert stored(api) == [A]
    assert call(app, "GET", f"/todo/{A}/")[1]["data"]["text"] == "kept"


@pytest.mark.parametrize("data", [[], [{"text": "x"}] * 101, 5, "text", None])
def test_a_body_must_be_an_object_or_a_list_of_1_to_100(app, api, data):
    response = app.handle(json_req("/todo/", data))
    assert response.status == 400
    assert json_body(response) == error(400, "Send a JSON object, or a list of 1 to 100 of them.")
    assert stored(api) == []


def test_an_empty_body_is_a_400(app, api):
    response = app.handle(req("POST", "/todo/", {"content-type": "application/json"}))
    assert (response.status, json_body(response)) == (400, error(400, "The request body is empty: send JSON."))
    assert stored(api) == []


def test_a_list_body_to_ids_is_matched_one_to_one(app):
    status, body = call(app, "PUT", f"/todo/{A},{B}/", [{"text": "a"}, todo(B, "b")])
    assert status == 201
    assert body["data"] == [todo(A, "a"), todo(B, "b")]
    assert call(app, "POST", f"/todo/{A}/", [{"text": "a2"}])[1]["statuses"] == [{"id": A, "status": 200}]


@pytest.mark.parametrize(
    ("ids", "data", "message", "fields"),
    [
        (f"{A},{B}", [todo(A)], "Send one item for each id in the URL (2 ids, 1 items).", None),
        (f"{A},{B}", todo(A), "Send one item for each id in the URL (2 ids, 1 items).", None),
        (f"{A},{B}", [todo(A), todo(C)], "The id in the body does not match the URL.", {"1.id": f"expected {B}"}),
    ],
)
def test_a_list_body_to_ids_must_match_them(app, api, ids, data, message, fields):
    assert call(app, "POST", f"/todo/{ids}/", data) == (400, error(400, message, fields))
    assert stored(api) == []


# -- reading and deleting several ----------------------------------------------------------------


def test_get_several_ids(app):
    call(app, "POST", "/todo/", [todo(A, "a"), todo(B, "b")])
    assert call(app, "GET", f"/todo/{B},{A}/") == (
        200,
        {"data": [todo(B, "b"), todo(A, "a")], "statuses": [{"id": B, "status": 200}, {"id": A, "status": 200}]},
    )
    assert call(app, "GET", f"/todo/{A},{C}/") == (
        207,
        {"data": [todo(A, "a")], "statuses": [{"id": A, "status": 200}, {"id": C, "status": 404}]},
    )
    assert call(app, "GET", f"/todo/{C},{C.replace('3', '4')}/")[0] == 404


def test_get_one_missing_item_is_a_404_error(app):
    assert call(app, "GET", f"/todo/{A}/") == (404, error(404, f"No todo has the id {A}."))


def test_delete_one(app, api):
    call(app, "POST", "/todo/", todo(A, "a"))
    assert call(app, "DELETE", f"/todo/{A}/") == (200, {"data": todo(A, "a")})
    assert call(app, "DELETE", f"/todo/{A}/") == (404, error(404, f"No todo has the id {A}."))
    assert stored(api) == []


def test_delete_several(app, api):
    call(app, "POST", "/todo/", [todo(A), todo(B), todo(C)])
    assert call(app, "DELETE", f"/todo/{A},{B}/") == (
        200,
        {"data": [todo(A), todo(B)], "statuses": [{"id": A, "status": 200}, {"id": B, "status": 200}]},
    )
    status, body = call(app, "DELETE", f"/todo/{B},{C}/")
    assert (status, body["statuses"]) == (207, [{"id": B, "status": 404}, {"id": C, "status": 200}])
    assert call(app, "DELETE", f"/todo/{A},{C}/")[0] == 404
    assert stored(api) == []


@pytest.mark.parametrize("method", ["DELETE", "PUT"])
def test_no_mass_delete_or_replace(app, api, method):
    call(app, "POST", "/todo/", todo(A))
    response = app.handle(json_req("/todo/", [todo(A)], method))
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert json_body(response) == error(405, f"{method} needs the ids in the URL: {method} /todo/<id>/.")
    assert stored(api) == [A]


def test_at_most_100_ids_in_one_url(app):
    ids = ",".join(str(uuid.uuid4()) for _ in range(101))
    assert call(app, "GET", f"/todo/{ids}/") == (400, error(400, "Name at most 100 ids in one request."))


# -- bodies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/jsonp", "application/vnd.api+json"])
def test_only_json_bodies_and_forms_are_accepted(app, api, content_type):
    headers = {"content-type": content_type} if content_type else {}
    for method, path in [("POST", "/todo/"), ("PUT", f"/todo/{A}/")]:
        response = app.handle(req(method, path, headers, json.dumps(todo(A))))
        assert response.status == 415
        assert json_body(response) == error(415, "Send the body as JSON, with Content-Type: application/json.")
    assert stored(api) == []


def test_a_json_content_type_with_a_charset_is_accepted(app):
    response = app.handle(
        req("POST", "/todo/", {"content-type": "application/json; charset=utf-8"}, json.dumps(todo(A)))
    )
    assert response.status == 201


def test_invalid_json_is_a_400(app):
    response = app.handle(req("POST", "/todo/", {"content-type": "application/json"}, b'{"text": '))
    assert response.status == 400
    assert json_body(response) == error(400, "The request body is not valid JSON.")


# -- form posts, as the original demo page sent them ------------------------------------------------------


class FormPage(WebMessageHandler):
    def get(self):
        self.set_body(f"<form>{self.csrf_field()}</form>")


@pytest.fixture
def browser(api):
    """A browser on an app serving the API beside a page with a form (CSRF protection on)."""
    app = Brubeck(cookie_secret="s3cret", handler_tuples=[(r"^/form$", FormPage)])
    app.register_api(api)
    return TestClient(app)


def test_a_form_post_with_the_json_in_its_data_field_creates(browser, api):
    created = browser.post_form("/todo/", {"data": json.dumps(todo(A, "from a form"))}, form_url="/form")
    assert (created.status, created.json()) == (201, {"data": todo(A, "from a form")})
    batch = browser.post_form("/todo/", {"data": json.dumps([todo(B), todo(C)])}, form_url="/form")
    assert batch.status == 201
    assert stored(api) == sorted([A, B, C])


def test_a_multipart_form_post_is_read_too(browser, api):
    token = browser.csrf_token("/form")
    response = browser.put(f"/todo/{A}/", data={"data": json.dumps({"text": "multipart"}), "_csrf": token}, files={})
    assert (response.status, response.json()) == (201, {"data": todo(A, "multipart")})


def test_a_form_post_needs_the_csrf_token_as_every_form_does(browser, api):
    refused = browser.post("/todo/", data={"data": json.dumps(todo(A))})
    assert refused.status == 403
    assert refused.json()["error"]["message"].startswith("This request has no CSRF token")
    assert stored(api) == []


def test_a_form_post_needs_no_token_when_the_app_turns_the_protection_off(api):
    app = Brubeck(csrf_protection=False)
    app.register_api(api)
    response = TestClient(app).post("/todo/", data={"data": json.dumps(todo(A))})
    assert (response.status, response.json()) == (201, {"data": todo(A)})


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({}, 400, "Send the JSON in a form field named data."),
        ({"data": ""}, 400, "Send the JSON in a form field named data."),
        ({"data": '{"text": '}, 400, "The request body is not valid JSON."),
        ({"data": "[" * 40 + "]" * 40}, 400, "The JSON body nests deeper than 32 levels."),
        ({"data": json.dumps({"text": "x" * (1024 * 1024)})}, 413, "The JSON body is over 1 MB."),
        ({"data": json.dumps({"text": ""})}, 400, "The todo is not valid."),
    ],
)
def test_a_form_post_without_valid_json_in_data_is_refused(browser, api, fields, status, message):
    response = browser.post_form("/todo/", fields, form_url="/form")
    assert (response.status, response.json()["error"]["message"]) == (status, message)
    assert stored(api) == []


def test_the_render_override_runs_for_answers_and_errors(app):
    assert app.handle(req("GET", "/todo/")).headers["X-Rendered"] == "yes"
    assert app.handle(req("GET", f"/todo/{A}/")).headers["X-Rendered"] == "yes"


# -- paging ----------------------------------------------------------------------------------------


def walk(app, limit, query=""):
    """Every page of the list, as lists of texts."""
    pages, url = [], f"/todo/?limit={limit}{query}"
    while url:
        status, body = call(app, "GET", url)
        assert status == 200
        pages.append([item["text"] for item in body["data"]])
        url = body["next"] and f"/todo/?limit={limit}{query}&after={body['next']}"
    return pages


def test_pages_cover_every_item_once_in_write_order(app):
    for n in range(7):
        call(app, "POST", "/todo/", {"text": f"t{n}"})
    assert walk(app, 3) == [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6"]]
    assert walk(app, 7) == [[f"t{n}" for n in range(7)]]


def test_paging_is_stable_while_items_are_added(app):
    for n in range(4):
        call(app, "POST", "/todo/", {"text": f"t{n}"})
    _, first = call(app, "GET", "/todo/?limit=3")
    call(app, "POST", "/todo/", [{"text": "new1"}, {"text": "new2"}])
    _, second = call(app, "GET", f"/todo/?limit=3&after={first['next']}")
    assert [item["text"] for item in first["data"] + second["data"]][:4] == ["t0", "t1", "t2", "t3"]
    assert sorted(item["text"] for item in second["data"][1:]) == ["new1", "new2"]
    assert second["next"] is None


def test_the_default_page_is_50_items(app):
    call(app, "POST", "/todo/", [{"text": str(n)} for n in range(60)])
    _, body = call(app, "GET", "/todo/")
    assert len(body["data"]) == 50
    _, rest = call(app, "GET", f"/todo/?after={body['next']}")
    assert (len(rest["data"]), rest["next"]) == (10, None)
    assert call(app, "GET", "/todo/?limit=100")[1]["next"] is None


def test_since_keeps_items_written_at_or_after_it(app, monkeypatch):
    for stamp in (1_000, 2_000, 3_000):
        monkeypatch.setattr(queryset_module, "curtime", lambda stamp=stamp: stamp)
        call(app, "POST", "/todo/", {"text": str(stamp)})
    assert walk(app, 10, "&since=2000") == [["2000", "3000"]]
    assert walk(app, 1, "&since=1500") == [["2000"], ["3000"]]
    assert walk(app, 10, "&since=3001") == [[]]


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        *[
            (f"limit={value}", "limit", "limit must be a whole number from 1 to 100.")
            for value in ["0", "101", "-1", "1.5", "ten", "", "%D9%A3", "+5", "9" * 5000]
        ],
        *[
            (f"since={value}", "since", "since must be a whole number from 0 to 999999999999999.")
            for value in ["-1", "soon", "", "1" * 16, "1e3"]
        ],
        *[
            (f"after={value}", "after", "after must be the next cursor of an earlier page.")
            for value in ["", "garbage", "123", "x-y", "-" + A]
        ],
    ],
)
def test_bad_paging_arguments_are_400(app, query, name, message):
    assert call(app, "GET", f"/todo/?{query}") == (400, error(400, message, {name: message}))


# -- routes and registration ---------------------------------------------------------------------


def test_a_prefix_of_your_own(api):
    app = Brubeck()
    app.register_api(api, prefix="/api/v1/tasks/")
    assert call(app, "POST", "/api/v1/tasks/", todo(A))[0] == 201
    assert call(app, "GET", f"/api/v1/tasks/{A}") == (200, {"data": todo(A)})
    assert app.handle(req("GET", "/todo/")).status == 404
    assert app.handle(req("GET", "/api/v1/tasksx/")).status == 404


def test_registration_refuses_a_second_api_at_one_prefix_and_models_without_ids(api):
    app = Brubeck()
    app.register_api(api)
    with pytest.raises(ValueError):
        app.register_api(api)
    with pytest.raises(ValueError):
        app.register_api(api, prefix="tasks")

    class NoId(BrubeckModel):
        text: str

    class NoIdAPI(AutoAPIBase):
        model = NoId
        queries = DictQueryset()

    with pytest.raises(TypeError, match="NoIdAPI.model NoId has no 'id' field"):
        app.register_api(NoIdAPI)


# -- a plain pydantic model ----------------------------------------------------------------------------


class Note(BaseModel):
    """Not a BrubeckModel: no owner view, its JSON dump is what clients see."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    text: str = Field(min_length=1)
    due: datetime.date | None = None


@pytest.fixture
def notes():
    return serving(Note)


def test_a_plain_pydantic_model_is_created_read_listed_and_deleted(notes):
    status, body = call(notes, "POST", "/note/", {"text": "practise scales", "due": "2026-12-24"})
    created = body["data"]
    assert (status, created) == (201, {"id": created["id"], "text": "practise scales", "due": "2026-12-24"})
    assert call(notes, "GET", f"/note/{created['id']}/") == (200, {"data": created})
    assert call(notes, "PUT", f"/note/{A}/", {"text": "tune the piano"}) == (
        201,
        {"data": {"id": A, "text": "tune the piano", "due": None}},
    )
    assert call(notes, "GET", "/note/") == (
        200,
        {"data": [created, {"id": A, "text": "tune the piano", "due": None}], "next": None},
    )
    both = f"{created['id']},{A}"
    assert call(notes, "GET", f"/note/{both}/")[0] == 200
    assert call(notes, "DELETE", f"/note/{created['id']}/") == (200, {"data": created})
    assert call(notes, "GET", f"/note/{created['id']}/")[0] == 404
    assert [item["id"] for item in call(notes, "GET", "/note/")[1]["data"]] == [A]


def test_a_plain_pydantic_model_is_validated_as_a_brubeck_model_is(notes):
    assert call(notes, "POST", "/note/", {"text": "", "due": "someday"}) == (
        400,
        error(
            400,
            "The note is not valid.",
            {
                "text": "String should have at least 1 character",
                "due": "Input should be a valid date or datetime, input is too short",
            },
        ),
    )


def test_a_plain_model_keyed_by_another_field_than_id():
    class Track(BaseModel):
        slug: str = Field(pattern="^[a-z-]+$")
        title: str

    app = serving(Track, DictQueryset(api_id="slug"))
    take_five = {"slug": "take-five", "title": "Take Five"}
    assert call(app, "POST", "/track/", take_five) == (201, {"data": take_five})
    assert call(app, "GET", "/track/take-five/") == (200, {"data": take_five})


class NotAModel:
    id: int


@pytest.mark.parametrize(
    ("model", "queries", "message"),
    [
        (NotAModel, DictQueryset(), r"BadAPI\.model must be a pydantic model \(a BaseModel subclass\), not <class"),
        ({"id": int}, DictQueryset(), r"BadAPI\.model must be a pydantic model"),
        (None, DictQueryset(), r"BadAPI\.model must be a pydantic model \(a BaseModel subclass\), not None"),
        (Note, {}, r"BadAPI\.queries must be a queryset"),
        (Note, DictQueryset(api_id="slug"), r"BadAPI\.model Note has no 'slug' field, which BadAPI\.queries names"),
    ],
)
def test_an_api_that_cannot_serve_is_refused_when_registered(model, queries, message):
    BadAPI = type("BadAPI", (AutoAPIBase,), {"queries": queries} | ({"model": model} if model else {}))
    app = Brubeck()
    with pytest.raises(TypeError, match=message):
        app.register_api(BadAPI)
    assert app.apis == {} and app.router.routes == []


# -- the OpenAPI document --------------------------------------------------------------------------


@pytest.fixture
def two_apis(app):
    class AccountsAPI(AutoAPIBase):
        model = Account
        queries = DictQueryset()

    app.register_api(AccountsAPI, prefix="/api/accounts")
    response = app.handle(req("GET", "/openapi.json"))
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.body)


def test_the_openapi_document_describes_every_api(two_apis):
    doc = two_apis
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/todo/", "/todo/{ids}/", "/api/accounts/", "/api/accounts/{ids}/"}
    assert set(doc["paths"]["/todo/"]) == {"get", "post"}
    assert set(doc["paths"]["/todo/{ids}/"]) == {"parameters", "get", "post", "put", "delete"}
    listing = doc["paths"]["/todo/"]["get"]
    assert [p["name"] for p in listing["parameters"]] == ["limit", "after", "since"]
    assert set(listing["responses"]) == {"200", "400"}
    assert set(doc["paths"]["/todo/"]["post"]["responses"]) == {"200", "201", "207", "400", "415"}
    assert set(doc["paths"]["/todo/{ids}/"]["delete"]["responses"]) == {"200", "207", "400", "404"}
    body = doc["paths"]["/todo/{ids}/"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/TodoAtIds"} in body["oneOf"]  # a write to ids: its id may be left out
    assert "id" not in doc["components"]["schemas"]["TodoAtIds"].get("required", [])
    schemas = doc["components"]["schemas"]
    assert schemas["Todo"]["properties"]["text"] == {
        "maxLength": 500,
        "minLength": 1,
        "title": "Text",
        "type": "string",
    }
    assert schemas["Todo"]["required"] == ["text"]
    assert set(schemas["Account"]["properties"]) >= {"id", "name"}
    operation_ids = [
        op["operationId"] for path in doc["paths"].values() for key, op in path.items() if key != "parameters"
    ]
    assert len(operation_ids) == len(set(operation_ids)) == 12


def test_the_openapi_document_is_valid(two_apis):
    openapi_spec_validator.validate(two_apis)
