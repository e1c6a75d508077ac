"""nbgrader preprocessors of the course (named in instructor/engine/nbgrader_config.py)."""

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

NOTE = "\n... [output truncated by the grader: {} more characters]\n"
KEPT = ("text/plain", "image/png", "image/jpeg")  # what a student's kernel may show
STOPPED = (
    "the notebook's kernel stopped here (the code ended it, or it ran past its time limits "
    "and was killed): the cells below were not run"
)


class ExecuteToTheEnd(Execute):
    """nbgrader's Execute, except that a kernel that dies does not throw the notebook away:
    the cell where it died gets an error saying so, the cells after it are left unrun, and
    the notebook is graded and gets its feedback like any other."""

    def preprocess(self, nb, resources=None, km=None):
        self.dead = False
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if self.dead or cell.cell_type != "code":
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.dead = True
            cell.outputs.append(
                NotebookNode(
                    output_type="error",
                    ename="KernelStopped",
                    evalue=STOPPED,
                    traceback=[f"KernelStopped: {STOPPED}"],
                )
            )
            return cell, self.resources


class CapOutputs(NbGraderPreprocessor):
    """Keep a student's outputs small and plain: text cut to `max_chars` per output, images
    up to `max_image_bytes`, at most `max_outputs` per cell, and no HTML or JavaScript (the
    feedback page and formgrader show these outputs)."""

    max_chars = Integer(20_000, help="characters kept of each text output").tag(config=True)
    max_image_bytes = Integer(2_000_000, help="bytes of one image (base64)").tag(config=True)
    max_outputs = Integer(50, help="outputs kept per cell").tag(config=True)

    def _cut(self, text):
        text = "".join(text) if isinstance(text, list) else str(text)
        extra = len(text) - self.max_chars
        return text if extra <= 0 else text[: self.max_chars] + NOTE.format(extra)

    def _output(self, output):
        if "text" in output:
            output["text"] = self._cut(output["text"])
        data = output.get("data")
        if data is not None:
            for mime in [m for m in data if m not in KEPT]:
                del data[mime]
            for mime in ("image/png", "image/jpeg"):
                if len(str(data.get(mime, ""))) > self.max_image_bytes:
                    data["text/plain"] = "[an image too large to keep]"
                    del data[mime]
            if "text/plain" in data:
                data["text/plain"] = self._cut(data["text/plain"])
        return output

    def preprocess_cell(self, cell, resources, index):
        outputs = cell.get("outputs", [])
        kept = [self._output(output) for output in outputs[: self.max_outputs]]
        if len(outputs) > self.max_outputs:
            note = f"[{len(outputs) - self.max_outputs} more outputs dropped by the grader]\n"
            kept.append(NotebookNode(output_type="stream", name="stdout", text=note))
        if "outputs" in cell:
            cell["outputs"] = kept
        return cell, resources
