"""`python -m carehub.core.layers`: the order of Care Hub's apps, as the imports have it, and any app-level circle.

The app order is read from the "apps" contract of .importlinter (the authoritative list, checked by `make lint`);
the imports are read from the code with grimp (a dev dependency, as import-linter's). One line per app, top to
bottom, with the apps it imports; then every circle between apps (none, when the layers hold) and every import
against the declared order. Exit status 1 when there is a circle or an import against the order.

An app is `carehub.<name>`; the project's own modules (urls, api, settings, cli) count as one, "(project)". The
access policy, `carehub.accounts.policy`, is a layer of its own above every domain app (it imports every app's
models and every app's pages ask it), so, as in the contract, its imports are left out of the app graph and listed
apart. Type-only imports are left out too.
"""

from __future__ import annotations

import argparse
import configparser
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

POLICY = "carehub.accounts.policy"
PROJECT = "(project)"
DEFAULT_CONFIG = Path(__file__).resolve().parents[3] / ".importlinter"


def declared_order(config: Path = DEFAULT_CONFIG) -> list[list[str]]:
    """The app layers of the "apps" contract, top first; each layer a list of app names (optional ones included)."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(config)
    lines = parser["importlinter:contract:apps"]["layers"].split("\n")
    layers = []
    for line in filter(None, (raw.strip() for raw in lines)):
        names = [part.strip().strip("()") for part in line.replace(":", "|").split("|")]
        layers.append([name.removeprefix("carehub.") for name in names])
    return layers


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and _is_package(module)) else PROJECT


def _is_package(module: str) -> bool:
    import importlib.util

    spec = importlib.util.find_spec(module)
    return bool(spec and spec.submodule_search_locations)


def app_edges(graph) -> tuple[dict[str, dict[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """Imports between apps, {importer app: {imported app: [(importer, imported)]}}, and the policy's own imports."""
    edges: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
    policy_edges = []
    apps = {m: app_of(m) for m in graph.modules if m.startswith("carehub.")}
    for importer, app in apps.items():
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported not in apps or apps[imported] == app:
                continue
            if POLICY in (importer, imported):
                policy_edges.append((importer, imported))
                continue
            edges[app][apps[imported]].append((importer, imported))
    return edges, policy_edges


def circles(nodes: Iterable[str], edges: dict[str, dict[str, list]]) -> list[list[str]]:
    """Strongly connected groups of more than one app (Tarjan): each is an app-level import circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def against_order(layers: list[list[str]], edges: dict[str, dict[str, list]]) -> list[tuple[str, str, str]]:
    """Direct imports from a declared app to one declared above it: (importer, imported, example import)."""
    rank = {app: position for position, layer in enumerate(layers) for app in layer}
    wrong = []
    for importer, targets in edges.items():
        for imported, examples in targets.items():
            if importer in rank and imported in rank and rank[imported] < rank[importer]:
                wrong.append((importer, imported, f"{examples[0][0]} -> {examples[0][1]}"))
    return sorted(wrong)


def report(config: Path = DEFAULT_CONFIG, out=sys.stdout) -> int:
    import grimp

    # No cache: grimp's cache (.grimp_cache) kept a moved module's old imports after a rename, so the report lied.
    graph = grimp.build_graph("carehub", exclude_type_checking_imports=True, cache_dir=None)
    layers = declared_order(config)
    edges, policy_edges = app_edges(graph)
    nodes = {app_of(m) for m in graph.modules if m.startswith("carehub.")}
    print("Apps, top to bottom (.importlinter, contract 'apps'); each imports only apps below it:", file=out)
    for position, layer in enumerate(layers, 1):
        for app in layer:
            if app in nodes:
                below = ", ".join(sorted(edges.get(app, {}))) or "-"
                print(f"  {position:2}. {app:<12} imports {below}", file=out)
    others = sorted(nodes - {a for layer in layers for a in layer})
    print("Outside the app order:", file=out)
    for app in others:
        print(f"      {app:<12} imports {', '.join(sorted(edges.get(app, {}))) or '-'}", file=out)
    policy_users = sorted({app_of(a) for a, b in policy_edges if b == POLICY})
    policy_reads = sorted({app_of(b) for a, b in policy_edges if a == POLICY})
    print(f"Access layer {POLICY}: asked by {', '.join(policy_users)}; reads {', '.join(policy_reads)}", file=out)
    found = circles(nodes, edges)
    wrong = against_order(layers, edges)
    print(f"App-level circles: {len(found)}", file=out)
    for group in found:
        print("  " + " <-> ".join(group), file=out)
    print(f"Imports against the order: {len(wrong)}", file=out)
    for importer, imported, example in wrong:
        print(f"  {importer} -> {imported} ({example})", file=out)
    return 1 if found or wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m carehub.core.layers", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="the import-linter contract file")
    return report(parser.parse_args(argv).config)


if __name__ == "__main__":
    sys.exit(main())
