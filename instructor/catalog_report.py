"""For every exercise: wrong answers caught, correct answers accepted, and any that slipped.

    python -m instructor.catalog_report

Grades every catalogued answer (grader_tests/answers_<lesson>.py) directly with the hidden
tests. A wrong answer is caught when it loses points and its report shows the catalogued
diagnostic; a correct answer is accepted when it gets full marks. Exits 1 if any slipped.

Each answer also goes through the visible checks (`check(name)` in the notebook): the
column "caught by visible" counts the wrong answers they fail, out of those the public
cases can tell apart (the others say why: `Answer.hidden_only`). A correct answer that
fails them, or a hidden-only answer they catch after all, is listed as "warned wrongly".
Each lesson's visible checks must catch at least VISIBLE_TARGET of its wrong answers.
"""

import sys
from collections import defaultdict

from grader_tests.catalog import answers, exercises, run_answer, run_visible
from instructor.engine.course import lessons

VISIBLE_TARGET = 0.9


def catalog_rows() -> list[dict]:
    """One row per exercise: counts and the names of answers graded wrongly."""
    rows = []
    for lesson in lessons():
        graded = [(answer, run_answer(lesson, answer)) for answer in answers(lesson)]
        for name in exercises(lesson):
            mine = [(a, r) for a, r in graded if a.cell == name]
            wrong = [(a, r) for a, r in mine if a.wrong]
            right = [(a, r) for a, r in mine if not a.wrong]
            missed = [
                a.name for a, r in wrong if r.score >= r.points or a.diagnostic not in r.report()
            ]
            refused = [a.name for a, r in right if r.score != r.points]
            visible = {a.name: bool(run_visible(lesson, a).failures) for a, _ in mine}
            public = [a for a, _ in wrong if not a.hidden_only]
            warned = [a.name for a, _ in right if visible[a.name]]
            warned += [a.name for a, _ in wrong if a.hidden_only and visible[a.name]]
            rows.append(
                {
                    "lesson": lesson,
                    "exercise": name,
                    "wrong": len(wrong),
                    "right": len(right),
                    "slipped": missed + refused,
                    "caught": len(wrong) - len(missed),
                    "accepted": len(right) - len(refused),
                    "visible": sum(visible[a.name] for a in public),
                    "public": len(public),
                    "warned": warned,
                }
            )
    return rows


def visible_by_lesson(rows: list[dict]) -> dict:
    """{lesson: (wrong answers the visible checks catch, wrong answers they can tell apart)}."""
    totals: dict = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row["lesson"]][0] += row["visible"]
        totals[row["lesson"]][1] += row["public"]
    return {lesson: tuple(counts) for lesson, counts in totals.items()}


def main() -> int:
    rows = catalog_rows()
    head = f"{'lesson':22}{'exercise':28}{'wrong caught':>13}{'caught by visible':>18}"
    print(f"{head}{'right accepted':>16}  slipped / warned wrongly")
    for row in rows:
        caught, accepted = f"{row['caught']}/{row['wrong']}", f"{row['accepted']}/{row['right']}"
        visible = f"{row['visible']}/{row['public']}"
        slipped = ", ".join(row["slipped"]) or "-"
        warned = ", ".join(row["warned"]) or "-"
        print(
            f"{row['lesson']:22}{row['exercise']:28}{caught:>13}{visible:>18}{accepted:>16}"
            f"  {slipped} / {warned}"
        )
    slips = sum(len(row["slipped"]) for row in rows)
    warnings = sum(len(row["warned"]) for row in rows)
    wrong, right = sum(r["wrong"] for r in rows), sum(r["right"] for r in rows)
    print(f"\n{wrong} wrong and {right} correct answers; {slips} graded wrongly")
    short = []
    for lesson, (seen, public) in visible_by_lesson(rows).items():
        share = seen / public if public else 1.0
        print(f"{lesson}: visible checks catch {seen} of {public} wrong answers ({share:.0%})")
        if share < VISIBLE_TARGET:
            short.append(lesson)
    print(f"{warnings} warned wrongly by the visible checks; below {VISIBLE_TARGET:.0%}: "
          f"{', '.join(short) or 'none'}")  # fmt: skip
    return 1 if slips or warnings or short else 0


if __name__ == "__main__":
    sys.exit(main())
