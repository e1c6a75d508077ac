"""What a hidden check compares, noted while it grades the reference answer.

A public case (grader_tests.public_cases) runs its hidden check on the reference inside
`recording()`; the checks' helpers (`expect_match`, `expect_not_shaped`, `expect_results`,
`call_own_data`) `note` what they compare, so the visible check can name the same
mistakes. Outside `recording()`, `note` does nothing.
"""

import contextlib

_notes: list | None = None


@contextlib.contextmanager
def recording():
    """Collect the notes of the block: a list of (kind, value compared, details)."""
    global _notes
    _notes = []
    try:
        yield _notes
    finally:
        _notes = None


def note(kind: str, actual, **details) -> None:
    if _notes is not None:
        _notes.append((kind, actual, details))
