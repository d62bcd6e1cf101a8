"""Find every translatable source string in desktop/ui: self.tr("…") (context = the enclosing
class) and QCoreApplication.translate("Context", "…"). Literal arguments only, by design: a
computed string cannot be translated, so a non-literal argument is reported as a problem too."""
from __future__ import annotations

import ast
from pathlib import Path

UI_DIR = Path(__file__).resolve().parents[2] / "desktop" / "ui"


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(paths=None) -> tuple[set[tuple[str, str]], list[str]]:
    found: set[tuple[str, str]] = set()
    problems: list[str] = []
    for path in paths or sorted(UI_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, cls: str | None, path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, child.name)
                    continue
                if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                    f = child.func
                    where = f"{path.name}:{child.lineno}"
                    if f.attr == "tr" and isinstance(f.value, ast.Name) and f.value.id == "self":
                        src = _literal(child.args[0]) if child.args else None
                        if src is None or cls is None:
                            problems.append(f"{where}: self.tr() needs a literal string inside a class")
                        else:
                            found.add((cls, src))
                    elif f.attr == "translate" and isinstance(f.value, ast.Name) and f.value.id == "QCoreApplication":
                        ctx = _literal(child.args[0]) if len(child.args) > 1 else None
                        src = _literal(child.args[1]) if len(child.args) > 1 else None
                        if ctx is None or src is None:
                            problems.append(f"{where}: translate() needs literal context and text")
                        else:
                            found.add((ctx, src))
                visit(child, cls)

        visit(tree, None)
    return found, problems
