"""The shape of brubeck/: imports only at the top of each module, no import cycle, and the names
``brubeck.request_handling`` has always given."""

import ast
import importlib
from pathlib import Path

import pytest

from brubeck import application, handlers, request_handling, responses

PACKAGE = Path(__file__).resolve().parents[2] / "brubeck"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")


def tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text(), filename=f"brubeck/{module}.py")


def package_imports(module: str) -> set[str]:
    """The brubeck modules that ``module`` imports (``from . import x``, ``from .x import y``, ``brubeck.x``)."""
    found = set()
    for node in ast.walk(tree(module)):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("brubeck."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("brubeck."))
    return found & set(MODULES)


def cycle_through(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_import_graph_of_brubeck_has_no_cycle():
    graph = {module: package_imports(module) for module in MODULES}
    assert graph["application"] >= {"handlers", "mongrel2", "wsgi"}  # the graph is read (this test can see edges)
    assert cycle_through(graph) is None, " -> ".join(cycle_through(graph) or [])


def test_a_cycle_would_be_found():
    assert cycle_through({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_through({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("module", MODULES)
def test_every_import_is_at_the_top_of_its_module(module):
    """No import inside a function or class, and none hidden behind TYPE_CHECKING."""
    for node in ast.walk(tree(module)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nested = [inner for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom))]
            assert not nested, f"brubeck/{module}.py imports inside {node.name} (line {nested[0].lineno})"
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            raise AssertionError(f"brubeck/{module}.py hides imports behind TYPE_CHECKING (line {node.lineno})")


def test_handlers_do_not_import_the_application():
    """The application routes to handlers; a handler sees the application only as ``types.HandlerApplication``."""
    graph = {module: package_imports(module) for module in MODULES}
    assert "application" not in graph["handlers"]
    assert "request_handling" not in set().union(*(graph[m] for m in MODULES if m != "request_handling"))


ROOT = PACKAGE.parent
FROM_0_4 = ("render", "http_response", "to_bytes", "to_unicode", "CORO_LIBRARY", "coro_sleep", "coro_spawn")
"""Names 0.4's request_handling gave that nothing in this repository imports from it."""


def imported_from_request_handling() -> set[str]:
    """Every name a module, demo or test of the repository (or the README's example) imports from it."""
    sources = [
        path.read_text()
        for folder in ("demos", "tests", "shared", "listsurf", "readify", "spotichat", "conf", "bench")
        for path in (ROOT / folder).rglob("*.py")
    ]
    readme = (ROOT / "README.md").read_text()
    sources += [block.split("```", 1)[0] for block in readme.split("```python")[1:]]
    names = set()
    for source in sources:
        if "request_handling" not in source:  # cannot import from it; parsing every file took 0.8 s a collection
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "brubeck.request_handling":
                names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("name", sorted(imported_from_request_handling() | set(FROM_0_4)))
def test_request_handling_still_gives_every_name_imported_from_it(name):
    assert name in request_handling.__all__
    assert getattr(importlib.import_module("brubeck.request_handling"), name) is not None


def test_request_handling_gives_the_same_objects_as_their_modules():
    assert request_handling.Brubeck is application.Brubeck
    assert request_handling.WebMessageHandler is handlers.WebMessageHandler
    assert request_handling.JSONMessageHandler is handlers.JSONMessageHandler
    assert request_handling.render is responses.render
