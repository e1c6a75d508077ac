"""nbgrader preprocessors of the course (named in instructor/engine/nbgrader_config.py)."""

import re

from jinja2 import pass_context
from nbclient.exceptions import DeadKernelError
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

NOTE = "\n... [output truncated by the grader: {} more characters]\n"
KEPT = ("text/plain", "image/png", "image/jpeg")  # what a student's kernel may show
RENDERED: dict = {}  # {(filter, text, options): HTML}, see FeedbackExporter
MAX_RENDERED = 20_000
IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)", re.IGNORECASE)
ALT = ' alt="a figure the notebook drew"'
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


class PlainStudentText(NbGraderPreprocessor):
    """Show the student's own Markdown and raw cells as plain text.

    nbgrader's feedback and formgrader templates render Markdown with its HTML as it is, so
    a `<script>` or an `onerror=` in a cell the student wrote would run in the page of
    whoever opens the feedback, formgrader included (the instructor's Jupyter server). The
    course's own cells stay as they are: nbgrader has just restored their text, and they
    keep their grade_id and lock (OverwriteCells drops the grade_id it does not know).
    Every other Markdown cell becomes a fenced block, which renders as escaped text; a raw
    cell loses the format that would make it raw HTML.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") is True and "grade_id" in meta:
            return cell, resources
        if cell.cell_type == "markdown":
            source = "".join(cell.source) if isinstance(cell.source, list) else str(cell.source)
            longest = max((len(run) for run in re.findall("~+", source)), default=0)
            fence = "~" * max(3, longest + 1)
            cell.source = f"{fence} text\n{source}\n{fence}"
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            for key in ("format", "raw_mimetype"):
                cell.metadata.pop(key, None)
        return cell, resources


def _remembered(key: tuple, render):
    """RENDERED[key], made by render() the first time (while RENDERED has room)."""
    html = RENDERED.get(key)
    if html is None:
        html = render()
        if len(RENDERED) < MAX_RENDERED:
            RENDERED[key] = html
    return html


class RememberedHighlight(Highlight2HTML):
    """Highlight2HTML that renders each (code, language) once per process."""

    def __call__(self, source, language=None, metadata=None):
        magics = (metadata or {}).get("magics_language")
        key = ("code", source, language or self.pygments_lexer, magics)
        return _remembered(key, lambda: super(RememberedHighlight, self).__call__(
            source, language, metadata))  # fmt: skip


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter for nbgrader's feedback pages, faster.

    - HTMLExporter parses and re-serialises every page with BeautifulSoup to give each
      image an alt text and each JupyterLab cell a tabindex: half the time of a page.
      nbgrader's feedback template is the classic one, which has no JupyterLab cells; the
      alt text is added here to each <img> that has none.
    - Each Markdown text and each code cell is rendered once per process (RENDERED). The
      course's own cells are the same on every student's page, and the server that forks
      each student's grading renders the released lessons first (`warm_up`).
    """

    @pass_context
    def markdown2html(self, context, source):
        if context.get("cell", {}).get("attachments") or self.embed_images:
            return HTMLExporter.markdown2html(self, context, source)
        key = ("markdown", source, self.anchor_link_text, self.exclude_anchor_links)
        return _remembered(key, lambda: HTMLExporter.markdown2html(self, context, source))

    def warm_up(self, nb) -> None:
        """Render the Markdown and code of `nb`'s cells into RENDERED."""
        highlight = self._highlight(nb)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                self.markdown2html({"cell": cell}, cell.source)
            elif cell.cell_type == "code":
                highlight(cell.source, metadata=cell.metadata)

    def _highlight(self, nb) -> RememberedHighlight:
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        return RememberedHighlight(pygments_lexer=lexer, parent=self)

    def from_notebook_node(self, nb, resources=None, **kw):
        highlight = self.filters.get("highlight_code", self._highlight(nb))
        resources = self._init_resources(resources)
        data_types = WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources
        )
        self.register_filter("highlight_code", highlight)
        self.register_filter("filter_data_type", data_types)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return IMAGE_WITHOUT_ALT.sub("<img" + ALT, html), resources
