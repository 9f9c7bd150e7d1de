"""The house's one rule: every room imports only the rooms below it.

Read from the source (AST), so lazy imports inside functions and ``TYPE_CHECKING`` imports
count too. The one allowed arrow up: ``digit-exhibit train`` forwarding to the training package.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# top to bottom; a module may import its own room or any room below it
LAYERS: list[tuple[str, ...]] = [
    ("exhibit_training",),
    ("exhibit.cli", "exhibit.__main__"),
    ("exhibit.tools", "exhibit.arguments"),
    ("exhibit.shell",),
    ("exhibit.views",),
    ("exhibit.state",),
    ("exhibit.layout",),
    ("exhibit.attract", "exhibit.learn", "exhibit.recognize"),
    ("exhibit.config",),
    ("exhibit.model",),
    ("exhibit.ink",),
    ("exhibit.strings", "exhibit.eventlog", "exhibit.limits", "exhibit.resources",
     "exhibit.version", "exhibit"),
]
ALLOWED_UP = {("exhibit.cli", "exhibit_training.cli")}  # `train`, lazily, inside a function


def module_name(py: Path) -> str:
    parts = list(py.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(py: Path) -> list[tuple[str, int]]:
    """Every module ``py`` imports (absolute names), with the line, wherever the import is."""
    found = []
    for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{py}: use absolute imports"
            for a in node.names:  # `from exhibit.views import theme` imports exhibit.views.theme
                sub = f"{node.module}.{a.name}"
                is_mod = (ROOT / Path(*sub.split("."))).with_suffix(".py").exists() or \
                    (ROOT / Path(*sub.split("."))).is_dir()
                found.append((sub if is_mod else node.module, node.lineno))
    return [(m, line) for m, line in found if m.split(".")[0] in ("exhibit", "exhibit_training")]


def layer(mod: str) -> int:
    best = None
    for i, rooms in enumerate(LAYERS):
        for room in rooms:
            if (mod == room or mod.startswith(room + ".")) and (best is None or len(room) > best[1]):
                best = (i, len(room))
    assert best is not None, f"{mod}: not in any layer; add its room to LAYERS"
    return best[0]


def graph(roots=("exhibit", "exhibit_training")) -> dict[str, list[tuple[str, int]]]:
    return {module_name(py): imports(py) for r in roots for py in sorted((ROOT / r).rglob("*.py"))}


def upward(g: dict[str, list[tuple[str, int]]]) -> list[str]:
    return [f"{m}:{line} imports {t} (a room above it)" for m, targets in g.items()
            for t, line in targets if layer(t) < layer(m) and (m, t) not in ALLOWED_UP]


def cycles(g: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    edges = {m: {t for t, _ in ts if t in g} for m, ts in g.items()}
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_a_room_above_it():
    assert upward(graph()) == []


def test_the_import_plan_has_no_circles():
    assert cycles(graph()) == []


def test_the_runtime_never_imports_the_training_package_at_top_level():
    for py in (ROOT / "exhibit").rglob("*.py"):
        for node in ast.parse(py.read_text(encoding="utf-8")).body:  # module level only
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] == "exhibit_training" for n in names), py


def test_the_check_catches_an_upward_import(tmp_path):
    """The rule can fail: a state module that imports a view is reported."""
    g = graph()
    g["exhibit.state.modes"] = g["exhibit.state.modes"] + [("exhibit.views.theme", 1)]
    assert upward(g) == ["exhibit.state.modes:1 imports exhibit.views.theme (a room above it)"]
    g["exhibit.views.theme"] = g["exhibit.views.theme"] + [("exhibit.state.modes", 1)]
    assert ["exhibit.state.modes", "exhibit.views.theme"] in cycles(g)


VIEW_NAMES = ("ex",)  # what the views call the screen state they are handed


def test_views_read_only_the_screen_state_interface():
    """Views touch the exhibit only through ScreenState's names: adding a read means adding
    it to exhibit/state/screenstate.py, where what the screen depends on is listed."""
    tree = ast.parse((ROOT / "exhibit/state/screenstate.py").read_text(encoding="utf-8"))
    proto = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ScreenState")
    allowed = {n.name for n in proto.body if isinstance(n, ast.FunctionDef)}
    bad = []
    for py in sorted((ROOT / "exhibit/views").glob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in VIEW_NAMES and node.attr not in allowed:
                bad.append(f"{py.name}:{node.lineno} ex.{node.attr}")
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) \
                            and t.value.id in VIEW_NAMES:
                        bad.append(f"{py.name}:{node.lineno} writes ex.{t.attr}")
    assert bad == []


def test_the_exhibit_provides_the_whole_screen_state(models):
    from exhibit.config import load
    from exhibit.eventlog import EventLog
    from exhibit.state.exhibit import Exhibit
    from exhibit.state.screenstate import ScreenState

    ex = Exhibit(load(None), (1280, 720), EventLog(None), models=dict(models))
    missing = [n for n in ScreenState.__dict__ if not n.startswith("_") and not hasattr(ex, n)]
    assert missing == []
    ex.close()


def test_test_modules_share_helpers_only_through_support():
    bad = []
    for py in sorted((ROOT / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad += [f"{py.name}:{node.lineno} {n}" for n in names
                    if n.startswith("test_") or n == "conftest"]
    assert bad == []


def test_every_network_kind_offers_the_network_interface(models):
    """Above the model layer, code asks the network (sizes, forward, stages) instead of
    branching on its class: every shipped network, MLP or CNN, answers the same questions."""
    import numpy as np

    from exhibit.model.network import Network

    names = [n for n in Network.__dict__ if not n.startswith("_")]
    for name, m in models.items():
        net = m.net
        assert all(hasattr(net, n) for n in names), name
        fwd = net.forward(np.zeros(m.spec.side ** 2, np.float32))
        assert [len(np.ravel(c)) for c in fwd.columns][-1] == 10 and fwd.probs.shape[-1] == 10
        assert len(fwd.columns) == len(net.sizes), name  # one view column per size
        stages = net.stages()
        assert stages[0] == ("pixels", 0) and stages[-1] == ("softmax", len(net.sizes) - 1), name


def test_no_runtime_module_is_over_400_lines_and_the_cli_stays_thin():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "exhibit").rglob("*.py")
            if p.name != "sections.py"  # generated from the settings table
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
    assert len((ROOT / "exhibit/cli.py").read_text(encoding="utf-8").splitlines()) <= 350
