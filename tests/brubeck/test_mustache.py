"""Mustache pages as no.js writes them: ``class IndexHandler(MustacheRendering)`` rendering
``index`` (``index.mustache``) inside a layout of header and footer partials.

Every ``{{x}}`` escapes ``& < > " '``; ``{{{x}}}`` is raw.  A partial that has no file is an
error naming the partial (a 500 page, as a missing template is), not an empty string.
"""

from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from brubeck.request_handling import Brubeck
from brubeck.template_engines import MustacheTemplates
from brubeck.templating import MustacheRendering, load_mustache_env
from tests.support.brubeck_requests import req

HOSTILE = "x' onmouseover='alert(1)' y=\"<b>&amp;\""


def write(template_dir, **templates):
    for name, text in templates.items():
        (template_dir / f"{name}.mustache").write_text(text)


def render(template_dir, name="page", **context):
    """The page as a function route renders it: ``application.render_template``."""
    return Brubeck(template_loader=load_mustache_env(str(template_dir))).render_template(name, **context)


def page_app(template_dir, name="page", **context):
    """An app whose ``/`` renders ``name`` from a ``MustacheRendering`` handler, as no.js's pages do."""

    class IndexHandler(MustacheRendering):
        def get(self):
            return self.render_template(name, **context)

    return Brubeck(
        cookie_secret="s", template_loader=load_mustache_env(str(template_dir)), handler_tuples=[(r"^/$", IndexHandler)]
    )


class Attributes(HTMLParser):
    """The attributes of every start tag, as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


# -- escaping ------------------------------------------------------------------------------------


def test_every_double_brace_escapes_the_five_characters(tmp_path):
    write(tmp_path, page="{{v}}")
    assert render(tmp_path, v="& < > \" '") == "&amp; &lt; &gt; &quot; &#x27;"


def test_a_value_stays_inside_a_single_quoted_attribute(tmp_path):
    write(tmp_path, page="<p title='{{v}}'>{{v}}</p>")
    page = render(tmp_path, v=HOSTILE)
    assert page == (
        "<p title='x&#x27; onmouseover=&#x27;alert(1)&#x27; y=&quot;&lt;b&gt;&amp;amp;&quot;'>"
        "x&#x27; onmouseover=&#x27;alert(1)&#x27; y=&quot;&lt;b&gt;&amp;amp;&quot;</p>"
    )
    parser = Attributes()
    parser.feed(page)
    assert parser.found == [("p", [("title", HOSTILE)])]  # one attribute, the whole value: nothing got out


def test_a_value_stays_inside_a_double_quoted_attribute_from_a_handler(tmp_path):
    write(tmp_path, page='<input name="q" value="{{q}}">')
    response = page_app(tmp_path, q=HOSTILE).handle(req("GET", "/"))
    assert response.status == 200
    parser = Attributes()
    parser.feed(response.body.decode())
    assert parser.found == [("input", [("name", "q"), ("value", HOSTILE)])]


def test_triple_braces_and_ampersand_are_raw(tmp_path):
    write(tmp_path, page="{{{v}}}|{{&v}}")
    assert render(tmp_path, v="<b>'&'</b>") == "<b>'&'</b>|<b>'&'</b>"


def test_markup_is_escaped_too_in_double_braces(tmp_path):
    """Markup is Jinja2's "already safe" text; in Mustache only ``{{{x}}}`` leaves HTML as it is."""
    write(tmp_path, page="{{v}}")
    assert render(tmp_path, v=Markup("<b>bold</b>")) == "&lt;b&gt;bold&lt;/b&gt;"


def test_none_and_a_missing_name_render_as_nothing(tmp_path):
    write(tmp_path, page="[{{none}}][{{{none}}}][{{missing}}][{{zero}}]")
    assert render(tmp_path, none=None, zero=0) == "[][][][0]"


# -- a layout of partials -----------------------------------------------------------------------

LAYOUT = {
    "header": "<title>{{title}} - no.js</title>\n<h1>{{title}}</h1>\n",
    "footer": "<footer>{{room}}: {{count}} messages</footer>\n",
    "message": "<li>{{author}} in {{room}}: {{text}}</li>\n",
    "index": (
        "{{> header}}\n"
        "<ul>\n{{#messages}}\n{{> message}}\n{{/messages}}\n</ul>\n"
        "{{^messages}}\n<p>No messages yet.</p>\n{{/messages}}\n"
        "{{> footer}}"
    ),
}


def test_a_page_between_header_and_footer_partials_shares_its_values_with_them(tmp_path):
    write(tmp_path, **LAYOUT)
    messages = [{"author": "ann", "text": "hi <all>"}, {"author": "bob", "text": "it's me"}]
    app = page_app(tmp_path, "index", title="Jazz & co", room="jazz", count=2, messages=messages)
    response = app.handle(req("GET", "/"))
    assert response.status == 200
    assert response.body.decode() == (
        "<title>Jazz &amp; co - no.js</title>\n<h1>Jazz &amp; co</h1>\n"
        "<ul>\n<li>ann in jazz: hi &lt;all&gt;</li>\n<li>bob in jazz: it&#x27;s me</li>\n</ul>\n"
        "<footer>jazz: 2 messages</footer>\n"
    )


def test_an_empty_list_renders_the_inverted_section(tmp_path):
    write(tmp_path, **LAYOUT)
    page = render(tmp_path, "index", title="Empty", room="blues", count=0, messages=[])
    assert page == (
        "<title>Empty - no.js</title>\n<h1>Empty</h1>\n"
        "<ul>\n</ul>\n<p>No messages yet.</p>\n"
        "<footer>blues: 0 messages</footer>\n"
    )


def test_sections_over_lists_values_and_booleans(tmp_path):
    write(
        tmp_path,
        page=(
            "{{#names}}({{.}}){{/names}}"
            "|{{#user}}{{name}} of {{room}}{{/user}}"
            "|{{#admin}}admin{{/admin}}{{^admin}}guest{{/admin}}"
            "|{{^names}}none{{/names}}"
        ),
    )
    page = render(tmp_path, names=["a", "<b>"], user={"name": "Ann"}, room="jazz", admin=False)
    assert page == "(a)(&lt;b&gt;)|Ann of jazz|guest|"


def test_a_partial_is_read_once_a_page_however_often_it_is_included(tmp_path, monkeypatch):
    write(tmp_path, **LAYOUT)
    reads = []
    read = MustacheTemplates.read
    monkeypatch.setattr(MustacheTemplates, "read", lambda self, name: reads.append(name) or read(self, name))
    messages = [{"author": f"user{n}", "text": "hi"} for n in range(50)]
    page = render(tmp_path, "index", title="T", room="r", count=50, messages=messages)
    assert page.count("<li>") == 50
    assert sorted(reads) == ["footer", "header", "index", "message"]


def test_a_partial_is_found_again_on_the_next_page_after_an_edit(tmp_path):
    """Templates are read per page, as before: an edited partial shows without a restart."""
    write(tmp_path, page="{{> part}}", part="one")
    assert render(tmp_path) == "one"
    write(tmp_path, part="two")
    assert render(tmp_path) == "two"


# -- what is missing ------------------------------------------------------------------------------


def test_a_missing_partial_is_an_error_naming_it(tmp_path):
    write(tmp_path, page="{{> header}}<p>body</p>")
    with pytest.raises(FileNotFoundError, match=r"Mustache partial \{\{> header\}\} has no file") as raised:
        render(tmp_path)
    assert raised.value.filename == str(tmp_path / "header.mustache")


def test_a_missing_partial_answers_500_with_the_error_page(tmp_path):
    write(tmp_path, page="{{> header}}<p>body</p>", errors="E{{error_code}}: {{error_message}}")
    response = page_app(tmp_path).handle(req("GET", "/"))
    assert (response.status, response.body) == (500, b"E500: Internal Server Error")


def test_a_partial_outside_the_template_directory_is_refused(tmp_path):
    (tmp_path / "secret.mustache").write_text("secret")
    templates = tmp_path / "templates"
    templates.mkdir()
    write(templates, page="{{> ../secret}}")
    with pytest.raises(ValueError, match="outside the template directory"):
        render(templates)


def test_a_template_that_does_not_exist_answers_500(tmp_path):
    """As before: a 500 page (``errors.mustache`` when there is one), the missing file in the log."""
    with pytest.raises(FileNotFoundError):
        render(tmp_path, "nowhere")
    builtin = page_app(tmp_path, "nowhere").handle(req("GET", "/"))
    assert builtin.status == 500
    assert b"<h1>500 Internal Server Error</h1>" in builtin.body
    write(tmp_path, errors="E{{error_code}}: {{error_message}}")
    themed = page_app(tmp_path, "nowhere").handle(req("GET", "/"))
    assert (themed.status, themed.body) == (500, b"E500: Internal Server Error")


# -- the CSRF field -------------------------------------------------------------------------------


def test_the_csrf_field_in_triple_braces_is_the_hidden_input(tmp_path):
    write(tmp_path, **LAYOUT, form='{{> header}}<form method="post">{{{csrf_field}}}<button>Say</button></form>')
    response = page_app(tmp_path, "form", title="Say").handle(req("GET", "/"))
    body = response.body.decode()
    assert '<form method="post"><input type="hidden" name="_csrf" value="' in body
    parser = Attributes()
    parser.feed(body)
    (_, attrs), *_ = [found for found in parser.found if found[0] == "input"]
    token = dict(attrs)["value"]
    assert token and token.replace("-", "").replace("_", "").isalnum()
    assert response.headers.get_all("Set-Cookie")[0].startswith("_csrf=")


def test_the_csrf_cookie_is_issued_only_by_a_page_that_uses_the_field(tmp_path):
    write(tmp_path, page="<p>no form here</p>")
    response = page_app(tmp_path).handle(req("GET", "/"))
    assert response.body == b"<p>no form here</p>"
    assert not any(cookie.startswith("_csrf=") for cookie in response.headers.get_all("Set-Cookie"))


def test_the_csrf_field_in_double_braces_shows_as_text(tmp_path):
    """``{{csrf_field}}`` escapes like any value: the form then lacks its token, visibly."""
    write(tmp_path, page="{{csrf_field}}")
    body = page_app(tmp_path).handle(req("GET", "/")).body
    assert body.startswith(b"&lt;input type=&quot;hidden&quot; name=&quot;_csrf&quot;")
