"""Detect code that patched the grader, numpy or the builtins while it ran.

A snapshot records, for every attribute of the protected modules, the identity of the
object and, for functions and methods, of their code and defaults. Comparing two snapshots
lists what was replaced: `numpy.allclose`, `grader_tests.grading.Exercise.run`, ...
"""

import sys
import types

PROTECTED = ("numpy", "rnnlab", "grader_tests", "builtins", "math", "types", "json")


def _fingerprint(value) -> tuple:
    function = getattr(value, "__func__", value)
    if isinstance(function, types.FunctionType):
        return (
            id(function),
            id(function.__code__),
            id(function.__defaults__),
            id(function.__kwdefaults__),
        )
    return (id(value),)


def _protected_modules() -> dict:
    return {
        name: module
        for name, module in list(sys.modules.items())
        if module is not None and name.split(".")[0] in PROTECTED
    }


def snapshot() -> dict:
    """{(module, attribute): fingerprint} for every protected module loaded now."""
    state = {}
    for module_name, module in _protected_modules().items():
        state[(module_name, "<module>")] = (id(module),)
        for name, value in list(vars(module).items()):
            state[(module_name, name)] = _fingerprint(value)
            if isinstance(value, type) and value.__module__ == module_name:
                for attribute, member in list(vars(value).items()):
                    state[(module_name, f"{name}.{attribute}")] = _fingerprint(member)
    return state


def changes(before: dict, after: dict) -> list[str]:
    """Names whose object, code or defaults differ between two snapshots (or vanished)."""
    changed = [
        f"{module}.{name}" if name != "<module>" else f"{module} (module replaced)"
        for (module, name), fingerprint in before.items()
        if after.get((module, name)) != fingerprint
    ]
    return sorted(changed)
