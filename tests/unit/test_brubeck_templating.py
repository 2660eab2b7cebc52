"""Every template engine renders, escapes, and renders errors.html when present."""

import pytest

from brubeck.request_handling import Brubeck
from brubeck.templating import (
    Jinja2Rendering,
    MakoRendering,
    MustacheRendering,
    TornadoRendering,
    load_jinja2_env,
    load_mako_env,
    load_mustache_env,
    load_tornado_env,
)
from tests.unit.brubeck_helpers import req

# engine: (mixin, loader, page template, errors.html template)
ENGINES = {
    "jinja2": (Jinja2Rendering, load_jinja2_env, "Hello {{ name }}!", "E{{ error_code }}: {{ error_message }}"),
    "mako": (MakoRendering, load_mako_env, "Hello ${name}!", "E${error_code}: ${error_message}"),
    "mustache": (MustacheRendering, load_mustache_env, "Hello {{name}}!", "E{{error_code}}: {{error_message}}"),
    "tornado": (TornadoRendering, load_tornado_env, "Hello {{ name }}!", "E{{ error_code }}: {{ error_message }}"),
}


def make_app(engine, template_dir, with_errors_page):
    mixin, loader, page, errors = ENGINES[engine]
    (template_dir / "page.html").write_text(page)
    if with_errors_page:
        (template_dir / "errors.html").write_text(errors)

    class Page(mixin):
        def get(self):
            return self.render_template("page.html", name=self.get_argument("name"))

    class Broken(mixin):
        def get(self):
            raise RuntimeError("boom")

    return Brubeck(template_loader=loader(str(template_dir)), base_handler=mixin,
                   handler_tuples=[(r"/page", Page), (r"/broken", Broken)])


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return request.param


def test_renders_template(engine, tmp_path):
    response = make_app(engine, tmp_path, False).handle(req("GET", "/page?name=Ann"))
    assert response.status == 200
    assert response.body == b"Hello Ann!"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_escapes_values(engine, tmp_path):
    response = make_app(engine, tmp_path, False).handle(req("GET", "/page?name=<script>alert(1)</script>"))
    assert b"<script>" not in response.body
    assert b"&lt;script&gt;" in response.body


@pytest.mark.parametrize("path, expected", [("/nowhere", b"E404: Not Found"),
                                            ("/broken", b"E500: Internal Server Error")])
def test_errors_template_is_used(engine, tmp_path, path, expected):
    response = make_app(engine, tmp_path, True).handle(req("GET", path))
    assert response.status == int(expected[1:4])
    assert response.body == expected


@pytest.mark.parametrize("path, title", [("/nowhere", b"404 Not Found"), ("/broken", b"500 Internal Server Error")])
def test_builtin_error_page_without_errors_template(engine, tmp_path, path, title):
    response = make_app(engine, tmp_path, False).handle(req("GET", path))
    assert response.status == int(title[:3])
    assert b"<h1>" + title + b"</h1>" in response.body


CSRF_FIELD = {"jinja2": "{{ csrf_field() }}", "mako": "${csrf_field()}", "mustache": "{{{csrf_field}}}",
              "tornado": "{% raw csrf_field() %}"}


def test_csrf_field(engine, tmp_path):
    mixin, loader, _, _ = ENGINES[engine]
    (tmp_path / "form.html").write_text("<form>" + CSRF_FIELD[engine] + "</form>")

    class Form(mixin):
        def get(self):
            return self.render_template("form.html")

    app = Brubeck(cookie_secret="s", template_loader=loader(str(tmp_path)), handler_tuples=[(r"/", Form)])
    response = app.handle(req("GET", "/"))
    assert response.body.startswith(b'<form><input type="hidden" name="_csrf" value="')
    assert response.headers.get_all("Set-Cookie")[0].startswith("_csrf=")


def test_mustache_refuses_templates_outside_its_directory(tmp_path):
    templates = load_mustache_env(str(tmp_path / "templates"))
    with pytest.raises(ValueError):
        templates.path("../secret.html")
