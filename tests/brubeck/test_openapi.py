"""brubeck.openapi: a valid OpenAPI 3.1 document from operations and the pydantic models they use."""

from typing import Annotated

import openapi_spec_validator
import pytest
from pydantic import BaseModel, Field, computed_field

from brubeck.openapi import Operation, Parameter, PathItem, Reply, document, query_parameters


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=100)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def length(self) -> int:
        return len(self.text)


class Problem(BaseModel):
    message: str


class NotesQuery(BaseModel):
    tag: list[Annotated[str, Field(pattern="^[a-z]+$")]] = Field(default_factory=list, description="every one")
    limit: int = Field(default=10, ge=1, le=50)
    after: str | None = None


LIST = Operation("Notes", {200: Reply("A page", {"type": "array", "items": Note})}, query=NotesQuery)
SAVE = Operation(
    "Save a note",
    {201: Reply("Saved", Note, {"Location": "where it is"}), 400: Reply("Not valid", Problem)},
    body=Note,
    security=["token"],
)
NOTE = PathItem(
    "/notes/{note_id}",
    {"delete": Operation("Delete a note", {204: Reply("Deleted")}, operation_id="forget")},
    [Parameter("note_id", {"type": "string", "pattern": "^[0-9]+$"}, "path")],
)
SECURITY = {"token": {"type": "apiKey", "in": "header", "name": "Authorization"}}


@pytest.fixture
def doc():
    return document(
        "Notes",
        [PathItem("/notes", {"get": LIST, "post": SAVE}), NOTE],
        description="Notes as JSON.",
        servers=["https://notes.example"],
        security_schemes=SECURITY,
        schemas={"Extra": {"type": "object"}},
    )


def test_the_document_is_valid_openapi_3_1(doc):
    openapi_spec_validator.validate(doc)
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "https://notes.example"}]
    assert doc["info"] == {"title": "Notes", "version": "1.0.0", "description": "Notes as JSON."}
    assert doc["components"]["securitySchemes"] == SECURITY and "Extra" in doc["components"]["schemas"]


def test_models_are_components_as_taken_and_as_sent(doc):
    schemas = doc["components"]["schemas"]
    body = doc["paths"]["/notes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    sent = doc["paths"]["/notes"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Note-Input"} and "length" not in schemas["Note-Input"]["properties"]
    assert sent == {"$ref": "#/components/schemas/Note-Output"} and "length" in schemas["Note-Output"]["properties"]
    listed = doc["paths"]["/notes"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed == {"type": "array", "items": {"$ref": "#/components/schemas/Note-Output"}}
    assert set(schemas) == {"Note-Input", "Note-Output", "Problem", "Extra"}


def test_operations_say_their_parameters_answers_and_security(doc):
    listing, saving = doc["paths"]["/notes"]["get"], doc["paths"]["/notes"]["post"]
    assert (listing["operationId"], listing["security"], saving["security"]) == ("get_notes", [], [{"token": []}])
    assert list(saving["responses"]) == ["201", "400"]
    assert saving["responses"]["201"]["headers"]["Location"]["required"] is True
    tag, limit, after = listing["parameters"]
    assert tag == {
        "name": "tag",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
        "description": "every one",
        "style": "form",
        "explode": True,
    }
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}
    assert after["schema"] == {"type": "string"}
    note = doc["paths"]["/notes/{note_id}"]
    assert note["parameters"][0]["required"] is True and note["delete"]["operationId"] == "forget"
    assert "content" not in note["delete"]["responses"]["204"]


def test_query_parameters_are_the_fields_of_the_model():
    assert [(p.name, p.required) for p in query_parameters(NotesQuery)] == [
        ("tag", False),
        ("limit", False),
        ("after", False),
    ]
