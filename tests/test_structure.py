"""The shape of the code, checked: no import loop, the steps reach an engine only through
``scripts.engines``, and the pages and the API read the board without its writer.

Every import counts, at the top of a module or inside a function (an import inside a
function hides a loop from Python, not from this test).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scripts", "report")
# The pipeline's steps: they take an engine and never ask which one it is.
STEPS = ("ingest", "hashing", "validate", "clean", "summarize", "train", "compare", "added_data", "build", "dataset")
ENGINE_MODULES = {"duckdb", "pyspark", "sqlglot", "scripts.engines.duckdb", "scripts.engines.spark"}
# What writes a board (its pins, its lock, its attempts log) or runs a build.
WRITERS = {"scripts.board", "scripts.build", "scripts.history"}
READERS = ("report", "scripts.serve", "scripts.api")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def imported(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports, by its dotted name (a package's ``from p import m`` is ``p.m``)."""
    known = modules()
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: a relative import (the project imports by full name)"
            base = node.module
            subs = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known}
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(base)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    return {name: imported(path, name) for name, path in modules().items()}


def loops(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop among the project's modules (as found from each of them)."""
    found = []
    for start in edges:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for after in edges.get(node, ()):
                if after == start:
                    found.append([*path, start])
                elif after in edges and after not in path:
                    stack.append((after, [*path, after]))
    return found


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for after in edges.get(todo.pop(), ()):
            if after not in seen:
                seen.add(after)
                todo.append(after)
    return seen


def test_the_checker_finds_a_loop_and_what_a_module_reaches():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert ["a", "b", "c", "a"] in loops(edges)
    assert reachable(edges, "d") == {"a", "b", "c"}


def test_no_import_loop():
    assert loops(graph()) == []


def test_the_steps_reach_an_engine_only_through_scripts_engines():
    edges = graph()
    for step in STEPS:
        assert edges[f"scripts.{step}"] & ENGINE_MODULES == set(), step


def test_the_pages_and_the_api_import_nothing_that_writes_a_board():
    edges = graph()
    readers = [name for name in edges if name.startswith(READERS)]
    assert "report.reading" in readers and "scripts.serve" in readers
    for name in readers:
        assert reachable(edges, name) & WRITERS == set(), name
