"""For every exercise: wrong answers caught, correct answers accepted, and any that slipped.

    python -m instructor.catalog_report

Grades every catalogued answer (grader_tests/answers_<lesson>.py) directly with the hidden
tests. A wrong answer is caught when it loses points and its report shows the catalogued
diagnostic; a correct answer is accepted when it gets full marks. Exits 1 if any slipped.
"""

import sys

from grader_tests.catalog import answers, exercises, run_answer
from instructor.engine.course import lessons


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
            rows.append(
                {
                    "lesson": lesson,
                    "exercise": name,
                    "wrong": len(wrong),
                    "right": len(right),
                    "slipped": missed + refused,
                    "caught": len(wrong) - len(missed),
                    "accepted": len(right) - len(refused),
                }
            )
    return rows


def main() -> int:
    rows = catalog_rows()
    print(f"{'lesson':22}{'exercise':30}{'wrong caught':>14}{'right accepted':>16}  slipped")
    for row in rows:
        caught, accepted = f"{row['caught']}/{row['wrong']}", f"{row['accepted']}/{row['right']}"
        slipped = ", ".join(row["slipped"]) or "-"
        print(f"{row['lesson']:22}{row['exercise']:30}{caught:>14}{accepted:>16}  {slipped}")
    slips = sum(len(row["slipped"]) for row in rows)
    wrong, right = sum(r["wrong"] for r in rows), sum(r["right"] for r in rows)
    print(f"\n{wrong} wrong and {right} correct answers; {slips} graded wrongly")
    return 1 if slips else 0


if __name__ == "__main__":
    sys.exit(main())
