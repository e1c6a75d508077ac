"""The feedback page's exporter (instructor/engine/nbgrader_plugins.py: FeedbackExporter)
shows what nbconvert's HTMLExporter shows, with an alt text on every image, without the
BeautifulSoup pass that took half of its time."""

from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from instructor.engine.nbgrader_plugins import FeedbackExporter

ROOT = Path(__file__).resolve().parents[1]


def _page(exporter_class, notebook) -> BeautifulSoup:
    config = Config()
    config.HTMLExporter.template_name = "classic"  # the one nbgrader's feedback extends
    html, _ = exporter_class(config=config).from_notebook_node(notebook)
    return BeautifulSoup(html, features="html.parser")


def test_the_page_shows_what_nbconverts_shows_and_every_image_has_an_alt_text():
    notebook = nbformat.read(ROOT / "solutions" / "08_lstm_backward.ipynb", as_version=4)
    ours, theirs = _page(FeedbackExporter, notebook), _page(HTMLExporter, notebook)
    images = ours.find_all("img")
    assert len(images) == len(theirs.find_all("img")) == 2
    assert all(image.get("alt") for image in images)
    assert [i["src"] for i in images] == [i["src"] for i in theirs.find_all("img")]
    assert ours.get_text().split() == theirs.get_text().split()
    assert not theirs.select("div.jp-Cell-inputWrapper, div.jp-OutputArea-output")


def test_an_image_that_has_an_alt_text_keeps_it():
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell('<img src="x.png" alt="the loss">'))
    images = _page(FeedbackExporter, notebook).find_all("img")
    assert [image["alt"] for image in images] == ["the loss"]
