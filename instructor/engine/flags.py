"""Flags are one line of plain text, whatever the student's files or code contained."""


def one_line(text: str, limit: int = 300) -> str:
    """`text` as one line of plain text: control characters and newlines become spaces."""
    flat = "".join(ch if ch.isprintable() else " " for ch in str(text))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
