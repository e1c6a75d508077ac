"""What the grader reads in a submitted notebook's source, before and besides running it.

`StudentCode` holds a notebook's code cells as nbgrader will run them (locked and test
cells restored from the master) and answers two questions:

- `problems()`: the constructs in the student's own cells that graded code may not use.
  Graded code is NumPy code: it may import only the modules of `ALLOWED_MODULES`, and may
  not reach for the interpreter's machinery (dynamic code such as `exec` or `getattr`,
  files, dunder attributes, frames, `sys`/`os`-like modules, changing a library module).
  None of this is needed for an exercise, and any of it could tamper with the checks the
  sandboxed kernel runs for the grader, so a notebook that uses it is not graded.
- `library_uses(name, banned)`: which of the course library's objects in `banned` the
  function `name` reaches, by name, through a module, an import inside it, an alias, or
  one of the notebook's own functions it calls: an exercise handed to rnnlab's own
  implementation earns nothing.

Both read the source only (Python's `ast`, with IPython's cell syntax translated first).
"""

import ast
import importlib
import re
import types
from dataclasses import dataclass, field

ALLOWED_MODULES = (
    "numpy",
    "math",
    "cmath",
    "random",
    "statistics",
    "functools",
    "itertools",
    "collections",
    "dataclasses",
    "copy",
    "time",
    "abc",
    "enum",
    "numbers",
    "matplotlib",
    "rnnlab",
    "__future__",
)
FORBIDDEN_NAMES = frozenset(
    "exec eval compile __import__ getattr setattr delattr globals locals vars open "
    "breakpoint get_ipython serve __builtins__ __loader__ __spec__".split()
)
ALLOWED_DUNDERS = frozenset({"__init__", "__name__", "__doc__"})
REACHING = frozenset(
    "sys os modules builtins importlib subprocess socket ctypes gc inspect threading signal "
    "_thread multiprocessing pickle marshal shutil pathlib io tempfile posix mmap resource "
    "autograde _getframe".split()
    # what runs code or loads a library from data: string annotations evaluated by typing
    # (also through functools' single dispatch), pickles, shared libraries, any module by name
    + "get_type_hints ForwardRef singledispatch singledispatchmethod read_array NpzFile "
    "load_library load_backend_module import_module".split()
)
LOADERS = frozenset({"load", "loads"})  # np.load: a pickle unless allow_pickle is False
FRAME_ATTRIBUTE = re.compile(r"^(f|tb|gi|cr|ag|co)_[a-z]+$")
# parts of allowed packages that build or load native code, or run code from strings;
# matplotlib's backends import any module by name
DENIED_MODULES = (
    "numpy.testing",
    "numpy.f2py",
    "numpy.ctypeslib",
    "numpy.distutils",
    "matplotlib.testing",
    "matplotlib.backends",
)


def _allowed_module(name: str) -> bool:
    parts = name.split(".")
    if parts[0] not in ALLOWED_MODULES or any(p.startswith("_") for p in parts[1:]):
        return False
    return not any(name == d or name.startswith(d + ".") for d in DENIED_MODULES)


class OffLimits:
    """What a name bound to a module graded code may not use stands for (not imported)."""

    def __init__(self, name: str):
        self.__name__ = name


def _import(name: str):
    """The module `name` if graded code may import it (imported here to resolve names), or
    an OffLimits for one it may not."""
    if not _allowed_module(name):
        return OffLimits(name)
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _parse(source: str) -> ast.Module | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


@dataclass
class Cell:
    label: str  # how the student finds it: "cell softmax" or "cell 12"
    source: str
    authored: bool  # written by the student, so checked against the rules
    tree: ast.Module | None = field(init=False)

    def __post_init__(self):
        self.tree = _parse(self.source)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _grade_id(cell: dict):
    meta = cell.get("metadata", {})
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _restored(master: dict) -> dict:
    """{grade_id: source} of the master's code cells that nbgrader restores at autograde
    (locked cells and test cells), and of the unlocked ones, as {grade_id: (source, restored)}."""
    cells = {}
    for cell in master.get("cells", []):
        grade_id, meta = _grade_id(cell), cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and grade_id:
            restored = bool(meta.get("locked") or meta.get("grade")) and not meta.get("solution")
            cells[grade_id] = (_source(cell), restored)
    return cells


class StudentCode:
    """A notebook's code cells in run order; see the module docstring."""

    def __init__(self, cells: list[Cell]):
        self.cells = cells
        self._top = _Bindings()
        for cell in cells:
            if cell.tree is not None:
                self._top.bind_module(cell.tree)

    @classmethod
    def from_notebook(cls, notebook: dict, master: dict) -> "StudentCode":
        """The code of a submitted notebook as nbgrader will run it against `master`."""
        known = _restored(master)
        cells = []
        for index, cell in enumerate(notebook.get("cells", []), start=1):
            if cell.get("cell_type") != "code":
                continue
            grade_id, source = _grade_id(cell), _source(cell)
            master_source, restored = known.get(grade_id, (None, False))
            if restored:
                source = master_source
            authored = not restored and source != master_source
            label = f"cell {grade_id}" if grade_id else f"cell {index}"
            cells.append(Cell(label, source, authored))
        return cls(cells)

    @classmethod
    def of_master(cls, master: dict, answers: dict | None = None) -> "StudentCode":
        """The master's code with some solution cells replaced: {grade_id: source}."""
        answers = answers or {}
        cells = []
        for cell in master.get("cells", []):
            if cell.get("cell_type") == "code":
                grade_id = _grade_id(cell)
                source = answers.get(grade_id, _source(cell))
                cells.append(Cell(f"cell {grade_id}", source, grade_id in answers))
        return cls(cells)

    def problems(self) -> list[str]:
        """One line per construct graded code may not use, in the student's own cells."""
        found = []
        for cell in self.cells:
            if cell.authored and cell.tree is not None:
                rules = _rules(cell.tree, self._top)
                found += [f"{cell.label}, line {line}: {what}" for line, what in rules]
        return found

    def library_uses(self, name: str, banned: tuple, skip: tuple = ()) -> list[str]:
        """Names of the `banned` objects that the function `name` reaches (sorted)."""
        binding = self._top.names.get(name)
        if any(binding is obj for obj in banned):
            return [name]
        found: set = set()
        todo, seen = [binding], set()
        while todo:
            node = todo.pop()
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or id(node) in seen:
                continue
            seen.add(id(node))
            scope = self._top.child(node)
            for expression in ast.walk(node):
                for value in scope.chain(expression):
                    found.update(obj.__name__ for obj in banned if value is obj)
                if isinstance(expression, ast.Name) and expression.id not in skip:
                    todo.append(self._top.names.get(expression.id))
        return sorted(found)


class _Bindings:
    """What names stand for, as far as the source tells: library objects resolved by
    importing the allowed modules, the notebook's own function definitions, or unknown."""

    def __init__(self, parent: "_Bindings | None" = None):
        self.parent = parent
        self.names: dict = {}

    def child(self, function: ast.AST) -> "_Bindings":
        scope = _Bindings(self)
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                scope.bind_import(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                scope.bind_assign(node)
        return scope

    def lookup(self, name: str):
        if name in self.names:
            return self.names[name]
        return self.parent.lookup(name) if self.parent else None

    def bind_module(self, tree: ast.Module) -> None:
        for node in _module_statements(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                self.bind_import(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                self.bind_assign(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.names[node.name] = node

    def bind_import(self, node) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.names[alias.asname] = _import(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.names[top] = _import(top)
                    _import(alias.name)  # makes the submodule an attribute of its package
            return
        module = _import(node.module or "") if node.level == 0 else None
        for alias in node.names:
            if alias.name == "*":
                public = [n for n in dir(module) if not n.startswith("_")] if module else []
                self.names.update({n: getattr(module, n) for n in public})
            else:
                value = getattr(module, alias.name, None) if module else None
                if value is None and module is not None:
                    value = _import(f"{node.module}.{alias.name}")
                self.names[alias.asname or alias.name] = value

    def bind_assign(self, node: ast.Assign) -> None:
        target = node.targets[0]
        if isinstance(target, ast.Name):
            values = self.chain(node.value)
            self.names[target.id] = values[-1] if values else None

    def chain(self, expression: ast.AST) -> list:
        """The objects along a name or attribute chain (`a`, `a.b`, `a.b.c`), as far as
        they resolve; [] for anything else."""
        if isinstance(expression, ast.Name):
            value = self.lookup(expression.id)
            return [] if value is None else [value]
        if isinstance(expression, ast.Attribute):
            base = self.chain(expression.value)
            if base and isinstance(base[-1], (types.ModuleType, type)):
                value = getattr(base[-1], expression.attr, None)
                if value is None and isinstance(base[-1], types.ModuleType):
                    value = _import(f"{base[-1].__name__}.{expression.attr}")
                if value is not None:
                    return [*base, value]
            return base
        return []


def _module_statements(tree: ast.Module):
    """Statements that run at module level (inside if/for/while/with/try too)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        yield node
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            for name in ("body", "orelse", "finalbody"):
                todo += getattr(node, name, [])
            for handler in getattr(node, "handlers", []):
                todo += handler.body


def _rules(tree: ast.Module, scope: "_Bindings") -> list[tuple[int, str]]:
    """(line, what) for each construct graded code may not use; `scope`: the notebook's
    module-level names."""
    found = []
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        parent = parents.get(id(node))
        what = _rule(node, scope) or _module_as_value(node, parent, scope)
        what = what or _loader_rule(node, parent)
        if what:
            found.append((getattr(node, "lineno", 0), what))
    return sorted(set(found))


def _private(name: str) -> bool:
    return name.startswith("_") and name not in ALLOWED_DUNDERS


def _import_rule(node, scope: _Bindings) -> str:
    if isinstance(node, ast.Import):
        names = [
            a.name
            for a in node.names
            if not _allowed_module(a.name)
            or any(_private(part) or part in REACHING for part in a.name.split("."))
        ]
        return f"imports {', '.join(names)}, which graded code may not use" if names else ""
    if node.level or not _allowed_module(node.module or ""):
        source = node.module or "a relative module"
        return f"imports from {source}, which graded code may not use"
    module = _import(node.module)
    for alias in node.names:
        if alias.name == "*":
            continue
        if _private(alias.name) or alias.name in REACHING or alias.name in FORBIDDEN_NAMES:
            return f"imports {alias.name} from {node.module}, which graded code may not use"
        value = getattr(module, alias.name, None) if module is not None else None
        if isinstance(value, types.ModuleType) and not _allowed_module(value.__name__):
            return f"imports the module {value.__name__}, which graded code may not use"
    return ""


def _module_as_value(node: ast.AST, parent, scope: _Bindings) -> str:
    """A module used other than as `module.name` (or given another name): in a list, as an
    argument, returned... Its later uses could not be followed, so it may not be."""
    if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
        return ""
    value = scope.chain(node)
    if not value or not isinstance(value[-1], types.ModuleType):
        return ""
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return ""
    alias = isinstance(parent, ast.Assign) and len(parent.targets) == 1
    if alias and isinstance(parent.targets[0], ast.Name):
        return ""
    return f"uses the module {value[-1].__name__} as a value, which graded code may not do"


def _loader_rule(node: ast.AST, parent) -> str:
    """`load` only called on a file, with allow_pickle as a keyword (see _rule): not passed
    around (functools.partial), not with allow_pickle by position or from a dict (**)."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
    if name not in LOADERS or not isinstance(getattr(node, "ctx", None), ast.Load):
        return ""
    called = isinstance(parent, ast.Call) and parent.func is node
    if called and len(parent.args) <= 1 and all(k.arg is not None for k in parent.keywords):
        return ""
    return f"uses {name} other than as {name}(file, allow_pickle=False), which can run code"


def _string_annotation(node: ast.AST) -> str:
    """An annotation written as a string: typing and functools evaluate those as code."""
    annotations = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        annotations = [a.annotation for a in every] + [node.returns]
    elif isinstance(node, ast.AnnAssign):
        annotations = [node.annotation]
    for annotation in annotations:
        for part in ast.walk(annotation) if annotation is not None else []:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                return "writes a type annotation as a string, which graded code may not do"
    return ""


def _rule(node: ast.AST, scope: _Bindings) -> str:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _import_rule(node, scope)
    if isinstance(node, ast.Name):
        value = scope.lookup(node.id) if isinstance(node.ctx, ast.Load) else None
        if isinstance(value, OffLimits):
            return f"uses the module {value.__name__}, which graded code may not use"
        return _name_rule(node.id)
    if isinstance(node, ast.Attribute):
        return _attribute_rule(node, scope)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.AnnAssign)):
        return _string_annotation(node)
    if isinstance(node, ast.keyword) and node.arg == "allow_pickle":
        literal = isinstance(node.value, ast.Constant) and node.value.value is False
        return "" if literal else "loads pickled data (allow_pickle), which can run code"
    return ""


def _name_rule(name: str) -> str:
    if name in FORBIDDEN_NAMES or name in REACHING:
        return f"uses {name}, which graded code may not use"
    if name.startswith("__") and name.endswith("__") and name not in ALLOWED_DUNDERS:
        return f"uses {name}, which graded code may not use"
    return ""


def _attribute_rule(node: ast.Attribute, scope: _Bindings) -> str:
    attr = node.attr
    dunder = attr.startswith("__") and attr.endswith("__") and attr not in ALLOWED_DUNDERS
    if dunder or attr in REACHING or FRAME_ATTRIBUTE.match(attr):
        return f"uses the attribute .{attr}, which graded code may not use"
    base = scope.chain(node.value)
    module = base[-1] if base and isinstance(base[-1], types.ModuleType) else None
    if module and isinstance(node.ctx, (ast.Store, ast.Del)):
        return f"changes {module.__name__}.{attr}: graded code may not change a library"
    value = scope.chain(node)
    reached = value[-1] if value and isinstance(value[-1], (types.ModuleType, OffLimits)) else None
    if reached and not _allowed_module(reached.__name__):
        return f"reaches the module {reached.__name__}, which graded code may not use"
    if _private(attr):
        return f"uses the attribute .{attr}, which graded code may not use"
    return ""
