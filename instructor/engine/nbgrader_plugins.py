"""nbgrader preprocessors of the course (named in instructor/nbgrader_config.py)."""

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

NOTE = "\n... [output truncated by the grader: {} more characters]\n"


class TruncateOutput(NbGraderPreprocessor):
    """Cut every text output to `max_chars`, so a cell that prints megabytes keeps the
    autograded notebook and the feedback page small (nbgrader's LimitOutput counts lines)."""

    max_chars = Integer(20_000, help="characters kept of each text output").tag(config=True)

    def _cut(self, text):
        text = "".join(text) if isinstance(text, list) else text
        extra = len(text) - self.max_chars
        return text if extra <= 0 else text[: self.max_chars] + NOTE.format(extra)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = self._cut(output["text"])
            if "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = self._cut(output["data"]["text/plain"])
        return cell, resources
