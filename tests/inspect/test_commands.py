"""`tpc trace`, `tpc draw`, `tpc ablate` from the command line: files, errors, the reference run."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main
from tpc.errors import TpcError

REPO = Path(__file__).resolve().parents[2]
SORT = str(REPO / "examples/rasp/sort.rasp")
PNG = b"\x89PNG\r\n\x1a\n"
VOID = {
    "meta",
    "br",
    "hr",
    "img",
    "input",
    "link",
    "col",
    "area",
    "base",
    "wbr",
    "source",
    "path",
    "rect",
    "line",
    "text",
    "title",
    "g",
    "marker",
    "defs",
}


def tpc(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


class Tags(HTMLParser):
    """Checks that every element closes in order (HTML void elements aside)."""

    def __init__(self):
        super().__init__()
        self.stack, self.grids, self.chosen = [], 0, 0

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        self.grids += cls == "grid"
        self.chosen += "chosen" in cls.split()
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag not in VOID:
            assert self.stack.pop() == tag, tag


def test_html_page_is_self_contained_and_well_formed(tmp_path):
    page = tmp_path / "t.html"
    r = tpc("trace", SORT, "-i", "3 1 2", "--html", page)
    assert r.exit_code == 0, r.output
    text = page.read_text()
    for outside in ("http://", "https://", "<script", "src=", "<link", "@import", "url(http"):
        assert outside not in text.lower(), outside
    tags = Tags()
    tags.feed(text)
    assert tags.stack == []
    assert tags.grids == 2  # sort.rasp has two heads: a selector width and a nearest head
    assert tags.chosen == 4  # the nearest head reads one key per query: BOS and 3 tokens
    assert text.count("<svg") == 1 and "<table" in text


def test_trace_text_json_and_png(tmp_path):
    r = tpc(
        "trace",
        SORT,
        "-i",
        "3 1 2",
        "--only",
        "sort,tokens_nobos",
        "--json",
        "--png",
        tmp_path / "a.png",
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [v["name"] for v in doc["variables"]] == ["tokens_nobos", "sort"]  # program order
    assert doc["variables"][1]["values"] == [None, "1", "2", "3"]  # tokens are strings
    assert (tmp_path / "a.png").read_bytes().startswith(PNG)
    r = tpc("trace", SORT, "-i", "3 1 2")
    assert (
        r.exit_code == 0
        and "reads key" in r.output
        and r.output.splitlines()[0].startswith("position")
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["trace", SORT, "-i", "3 1 9", "--vocab", "1 2 3"], "unknown token '9'"),
        (["trace", SORT, "-i", "3 1 2 1", "--vocab", "1 2 3", "--max-len", "3"], "at most 3"),
        (["trace", SORT, "-i", "3 1 2", "--only", "nope"], "no variable named 'nope'"),
        (["draw", SORT, "-o", "graph.pdf"], "unknown picture format"),
        (["ablate", SORT], "exactly one of --task TASK and --inputs FILE"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message):
    r = tpc(*args)
    assert r.exit_code == 2
    assert (
        r.output.startswith("error: ") and message in r.output and len(r.output.splitlines()) == 1
    )


def test_draw_writes_dot_svg_and_png(tmp_path):
    for suffix in ("dot", "svg", "png"):
        r = tpc("draw", SORT, "--vocab", "1 2 3", "-o", tmp_path / f"g.{suffix}")
        assert r.exit_code == 0, r.output
    dot = (tmp_path / "g.dot").read_text()
    assert (
        dot.startswith('digraph "sort.rasp"') and '"tokens_nobos" -> "sort" [label="value"];' in dot
    )
    assert (
        '"indices" -> "sort" [label="query"];' in dot
        and '"target_position_nobos" -> "sort" [label="key"];' in dot
    )
    svg = ET.fromstring((tmp_path / "g.svg").read_text())
    names = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert names == {
        "tokens",
        "indices",
        "target_position",
        "target_position_nobos",
        "sort",
        "tokens_nobos",
    }
    assert (tmp_path / "g.png").read_bytes().startswith(PNG)


def test_pictures_without_matplotlib_are_one_clear_error(monkeypatch):
    import sys

    from tpc.inspect import pictures

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(TpcError, match=r"pictures need matplotlib: pip install 'tpc\[pictures\]'"):
        pictures.pyplot()


def test_ablate_on_an_inputs_file(tmp_path):
    inputs = tmp_path / "in.txt"
    inputs.write_text("3 1 2\t1 2 3\n2 2\t_ 2\n")
    r = tpc("ablate", SORT, "--inputs", inputs, "--json", "--png", tmp_path / "bars.png")
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["accuracy"] == 1.0 and result["positions"] == 4 and result["against"] == "labels"
    assert {m["module"] for m in result["modules"]} == {
        "target_position",
        "target_position_nobos",
        "sort",
        "tokens_nobos",
    }
    assert (tmp_path / "bars.png").read_bytes().startswith(PNG)
    inputs.write_text("3 1 2\t1 2\n")
    r = tpc("ablate", SORT, "--inputs", inputs)
    assert r.exit_code == 2 and f"{inputs}:1: 2 labels for 3 tokens" in r.output
    inputs.write_text("3 1\n3 7\n")
    r = tpc("ablate", SORT, "--inputs", inputs, "--vocab", "1 2 3")
    assert r.exit_code == 2 and f"{inputs}:2: unknown token '7' " in r.output
