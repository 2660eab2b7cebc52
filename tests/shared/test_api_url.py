"""shared.api.ApiUrl: what the JSON APIs take as a URL, one rule for the schema and the check.

Every URL of the pattern is a URI (as JSON Schema's ``format: uri`` reads it) that the store takes as it
is; anything else is refused before the store sees it.
"""

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.api import URL_PATTERN, ApiUrl
from shared.models import MAX_URL_LENGTH, normalize_url

SCHEMA = {"type": "string", "pattern": URL_PATTERN, "format": "uri", "maxLength": MAX_URL_LENGTH - 1}
DESCRIBED = jsonschema_rs.validator_for(SCHEMA, validate_formats=True)


class Body(BaseModel):
    url: ApiUrl


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(URL_PATTERN, fullmatch=True).filter(lambda url: len(url) < MAX_URL_LENGTH))
def test_every_url_of_the_pattern_is_a_uri_the_store_takes(url):
    assert DESCRIBED.is_valid(url)
    assert Body(url=url).url == url
    assert len(normalize_url(url)) <= MAX_URL_LENGTH


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://EXAMPLE.com:8080/a/b?c=d&e#f",
        "https://a_b.example.com./x",
        "https://1.2.3.4/",
        "https://[2001:db8::1]:443/",
        "https://[::ffff:1.2.3.4]/",
        "https://xn--xample-2of.com/%C3%A9",
        "https://e.com/" + "a" * (MAX_URL_LENGTH - 15),
    ],
)
def test_urls_taken(url):
    assert DESCRIBED.is_valid(url) and Body(url=url).url == url


@pytest.mark.parametrize(
    "url",
    [
        "example.com",
        " https://e.com/",
        "https://e.com/\n",
        "ftp://e.com/",
        "HTTPS://e.com/",
        "https://user@e.com/",
        "https://e.com:65536/",
        "https://e..com/",
        "https://-e.com/",
        "https://" + "a" * 64 + ".com/",
        "https://" + ("a" * 60 + ".") * 5 + "com/",
        "https://еxample.com/",
        "https://e.com/é",
        "https://e.com/a b",
        "https://e.com/%zz",
        "https://e.com/#a#b",
        "https://[1.2.3.4]/",
        "https://[::1::2]/",
        "https://e.com/" + "a" * (MAX_URL_LENGTH - 14),
    ],
)
def test_urls_refused(url):
    assert not DESCRIBED.is_valid(url)
    with pytest.raises(ValidationError):
        Body(url=url)
