"""import-linter contract types of our own (``make lint`` runs them through ``lint-imports``).

``private_names``: a name that starts with one underscore is private to the module that defines
it. Importing it from another module (``from dgops.x.y import _helper``) or reaching it through a
module (``y._helper``) couples two modules through something their author did not publish:
make it public (and export it from the package) instead.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


@dataclass(frozen=True, order=True)
class PrivateUse:
    importer: str
    line: int
    target: str


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _source_file(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _resolve(importer: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def private_uses(module: str, roots: frozenset[str]) -> list[PrivateUse]:
    """Private names of other modules that ``module`` imports or reaches through a module."""
    path = _source_file(module)
    if path is None:
        return []
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[PrivateUse] = []
    module_aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, node, is_package)
            if source.split(".")[0] not in roots or source == module:
                continue
            for alias in node.names:
                if _is_module(f"{source}.{alias.name}"):
                    # A (private) submodule: the private_modules contract judges those.
                    module_aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
                    continue
                if _is_private(alias.name):
                    found.append(PrivateUse(module, node.lineno, f"{source}.{alias.name}"))
                module_aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in roots and alias.asname:
                    module_aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in module_aliases
        ):
            target = module_aliases[node.value.id]
            if target != module:
                found.append(PrivateUse(module, node.lineno, f"{target}.{node.attr}"))
    return found


class PrivateNamesContract(Contract):
    """No module uses another module's private (``_``-prefixed) names."""

    type_name = "private_names"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        containers = [str(c) for c in self.containers]  # type: ignore[union-attr, attr-defined]
        roots = frozenset(c.split(".")[0] for c in containers)
        uses: list[PrivateUse] = []
        for module in sorted(graph.modules):
            if any(module == c or module.startswith(f"{c}.") for c in containers):
                uses.extend(private_uses(module, roots))
        return ContractCheck(kept=not uses, warnings=None, metadata={"uses": sorted(set(uses))})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Private names used outside their module:", bold=False)
        output.new_line()
        for use in check.metadata["uses"]:
            output.print_error(f"- {use.importer} (l.{use.line}) uses {use.target}", bold=False)
        output.new_line()


class PublicApiContract(Contract):
    """Code outside a domain package uses only what the package publishes: the package itself
    (its ``__init__`` and ``__all__``) and its tables (``models``).

    ``containers``: the parents whose sub-packages are domains (``dgops``). ``allowed``: module
    names, relative to a domain, that others may import too (``models``).
    """

    type_name = "public_api"

    containers = fields.ListField(subfield=fields.StringField())
    allowed = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        containers = [str(c) for c in self.containers]  # type: ignore[union-attr, attr-defined]
        allowed = {str(a) for a in (self.allowed or [])}  # type: ignore[union-attr, attr-defined]
        bad: list[tuple[str, str, int]] = []
        for importer in sorted(graph.modules):
            for container in containers:
                if not importer.startswith(f"{container}."):
                    continue
                own = importer.split(".")[: container.count(".") + 2]
                for imported in graph.find_modules_directly_imported_by(importer):
                    parts = imported.split(".")
                    depth = container.count(".") + 2
                    if not imported.startswith(f"{container}.") or len(parts) <= depth:
                        continue  # outside the container, or a package itself
                    if parts[:depth] == own or ".".join(parts[depth:]) in allowed:
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    package = ".".join(parts[:depth])
                    if any(
                        d["line_contents"].startswith(f"from {package} import ") for d in details
                    ):
                        continue  # a name the package exports that is also a module's name
                    line = details[0]["line_number"] if details else 0
                    bad.append((importer, imported, line))
        return ContractCheck(kept=not bad, warnings=None, metadata={"imports": bad})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Modules reached past their package's public API:", bold=False)
        output.new_line()
        for importer, imported, line in check.metadata["imports"]:
            output.print_error(f"- {importer} (l.{line}) -> {imported}", bold=False)
        output.new_line()
