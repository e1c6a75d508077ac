"""Validate notebooks as the Validate button does, with an exit code that tells the truth.

    python -m rnnlab.validate 01_rnn_forward.ipynb [MORE.ipynb ...]

Runs nbgrader's own `nbgrader.validator.Validator` (the code behind JupyterLab's Validate
button and `nbgrader validate`) on each notebook and prints nbgrader's report. Unlike
`nbgrader validate`, which exits 0 even when tests fail (nbgrader issue #1908), this exits
1 when any notebook fails validation (a graded cell failed, a locked cell was changed, a
cell's type was changed) or cannot be validated, and 0 when every notebook passes.
"""

import argparse
import os
import sys

from jupyter_core.paths import jupyter_config_path
from nbgrader.apps import NbGrader
from nbgrader.validator import Validator

PROBLEMS = ("type_changed", "changed", "failed")


class RecordingValidator(Validator):
    """nbgrader's Validator, keeping the results of the notebook it validated last."""

    results: dict = {}

    def validate(self, filename: str) -> dict:
        self.results = super().validate(filename)
        return self.results


def load_nbgrader_config():
    """nbgrader's configuration as the Validate button loads it: cwd, then Jupyter's paths."""
    app = NbGrader()
    app.config_file_paths.append([os.getcwd(), *jupyter_config_path()])
    app.load_config_file()
    return app.config


def validate(paths: list[str], stream=sys.stdout) -> bool:
    """Validate each notebook, print nbgrader's report for it; True when all of them pass."""
    validator = RecordingValidator(config=load_nbgrader_config())
    validator.stream = stream
    all_passed = True
    for path in paths:
        print(f"== {path}", file=stream, flush=True)
        try:
            validator.validate_and_print(path)
        except Exception as error:  # unreadable file, bad metadata, kernel failure
            print(f"could not validate {path}: {type(error).__name__}: {error}", file=stream)
            all_passed = False
            continue
        all_passed = all_passed and not any(validator.results.get(k) for k in PROBLEMS)
    return all_passed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", help="notebooks to validate")
    args = parser.parse_args(argv)
    return 0 if validate(args.notebooks) else 1


if __name__ == "__main__":
    sys.exit(main())
