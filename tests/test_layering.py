"""The house's layering, read from the imports (README: extract is the ground floor; samples, expectations and
warehouse use extract and nothing above them; flows composes all and nothing imports it), no import circles among
the project's modules, every library the code imports declared in pyproject.toml (the tests' and benchmarks' in
the test extra), and the tests' shared data read through one module (tests/shared_data.py).

Every import counts, those inside functions too (a lazy import is still a dependency, and a circle through one
only waits for the call); imports under `if TYPE_CHECKING:` do not (they never run).

Cost: parsing the project's ~100 modules, the tests and benchmarks once, and listing the installed
distributions once: 3-6 s on the shared two cores.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.shared_data import FOLDER_NAME

REPOSITORY = Path(__file__).resolve().parents[1]
# Each package and the packages it may import (besides itself).
LAYERS: dict[str, frozenset[str]] = {
    "extract": frozenset(),
    "samples": frozenset({"extract"}),
    "expectations": frozenset({"extract"}),
    "warehouse": frozenset({"extract"}),
    "flows": frozenset({"extract", "samples", "expectations", "warehouse"}),
}
SHARED_DATA_MODULE = "shared_data.py"


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    return {module_name(root, path): path for package in packages for path in sorted((root / package).rglob("*.py"))}


@cache
def parsed(path: Path) -> ast.Module:
    """A file's syntax tree, parsed once for all the checks."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _runs(node: ast.AST) -> bool:
    """False for an `if TYPE_CHECKING:` block: its imports never run."""
    return not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))


def imported_names(tree: ast.AST) -> Iterator[str]:
    """Every module name an import statement that runs names: `from a.b import c` names a.b.c (a module, or a name
    in a.b: the caller resolves it)."""
    for node in ast.iter_child_nodes(tree):
        if not _runs(node):
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the project imports absolutely"
            yield from (f"{node.module}.{alias.name}" for alias in node.names)
        else:
            yield from imported_names(node)


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module → the project's modules it imports (a name resolved to the longest module it starts with)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for imported in imported_names(parsed(path)):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                found.add(imported)
        graph[name] = found
    return graph


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import circles: the strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph.get(target, ())))))
            elif target in on_stack:
                low[module] = min(low[module], index[target])
    return found


def distribution(requirement: str) -> str:
    """The normalised distribution name a requirement ("pdfminer.six>=20231228,<20270000") names (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def declared(extra: str | None = None) -> set[str]:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *(project["optional-dependencies"][extra] if extra else [])]
    return {distribution(requirement) for requirement in requirements}


@cache
def _providers() -> Mapping[str, list[str]]:
    """Import name → the installed distributions providing it."""
    return packages_distributions()


def undeclared_libraries(paths: Iterable[Path], allowed: set[str], local: set[str]) -> list[tuple[str, str]]:
    """(file, module) for each library a file imports that no allowed distribution provides."""
    providers = _providers()
    found = set()
    for path in paths:
        for name in imported_names(parsed(path)):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in local or top == "__future__":
                continue
            if not {distribution(d) for d in providers.get(top, [])} & allowed:
                found.add((path.relative_to(REPOSITORY).as_posix(), top))
    return sorted(found)


def test_every_library_the_code_imports_is_declared() -> None:
    code = [path for package in LAYERS for path in sorted((REPOSITORY / package).rglob("*.py"))]
    assert undeclared_libraries(code, declared(), set(LAYERS)) == []


def test_every_library_the_tests_and_benchmarks_import_is_declared() -> None:
    scripts = sorted((REPOSITORY / "tests").glob("*.py")) + sorted((REPOSITORY / "benchmarks").rglob("*.py"))
    local = {*LAYERS, "tests", "benchmarks", *(path.stem for path in scripts)}
    assert undeclared_libraries(scripts, declared("test"), local) == []


def test_every_package_imports_only_the_layers_below_it() -> None:
    graph = import_graph(project_modules(REPOSITORY, tuple(LAYERS)))
    upward = sorted(
        (module, imported)
        for module, imports in graph.items()
        for imported in imports
        if (package := module.split(".")[0]) != (used := imported.split(".")[0]) and used not in LAYERS[package]
    )
    assert upward == []


def test_no_module_imports_itself_round_a_circle() -> None:
    assert circles(import_graph(project_modules(REPOSITORY, tuple(LAYERS)))) == []


def test_a_circle_is_found_through_a_lazy_import_but_not_a_type_checking_one(tmp_path: Path) -> None:
    """The check itself: a circle closed by an import inside a function is one; one closed under TYPE_CHECKING
    is not."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import run\n")
    (package / "b.py").write_text("def run():\n    from pkg import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.e import x\n")
    (package / "e.py").write_text("from pkg.d import y\n")
    assert circles(import_graph(project_modules(tmp_path, ("pkg",)))) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_the_tests_find_the_shared_data_through_one_module() -> None:
    """A test that builds its own path to the shared data (or names its absolute path) escapes CAIJUE_SHARED and
    the skip when the folder is absent (tests/shared_data.py `needs`)."""
    own_paths = sorted(
        path.name
        for path in (REPOSITORY / "tests").glob("*.py")
        if path.name != SHARED_DATA_MODULE
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and (node.value == FOLDER_NAME or f"/work/{FOLDER_NAME}" in node.value)
    )
    assert own_paths == []
