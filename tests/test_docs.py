"""Every example of README.md's tour and of docs/cli.md runs, in a temporary directory, with
the exit status and output the docs show.

What is an example: in a ```sh block, every line is a command, unless some lines start with
`$ `: then those are the commands and the lines after each, up to the next, its output. An
unlabelled block without `$ ` lines is a synopsis (placeholders such as DIR) and is not run.
A shown output may elide: a line `...` stands for any lines, `...` within a line for any text.
Each example is one test; a doc's run in order in one directory (a test runs the earlier
examples it may need first).
A command's trailing comment `# prints X` shows its whole output X, `# exit N` its exit status
(else 2 when the output shown is an `error:` line, 0 otherwise). `tpc` commands run in this
process; others (`python -c`, `sed`) in bash; `make` (setting up the environment this suite
runs in) is not run.

Training is shortened: `tpc train` runs 1 epoch (on 200 generated examples for a synthetic
task), so the tour's `tpc train --task sort` (250 epochs of 20,000 examples by default) and
the text example (5 epochs) take seconds; what the shortened run writes is still lifted and
run by the commands after it.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tpc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHELL_ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def examples(doc: str) -> list[tuple[str, list[str]]]:
    """(command, shown output lines) of every example in `doc`, in order."""
    found = []
    for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", (ROOT / doc).read_text(), re.S | re.M):
        lines = body.rstrip("\n").split("\n")
        prompted = any(line.startswith("$ ") for line in lines)
        if prompted:
            for line in lines:
                if line.startswith("$ "):
                    found.append((line[2:], []))
                else:
                    found[-1][1].append(line)
        elif lang == "sh":
            found += [(line, []) for line in _joined(lines) if line.strip()[:1] not in ("", "#")]
    return found


def _joined(lines: list[str]) -> list[str]:
    """Lines with backslash continuations joined."""
    out, pending = [], ""
    for line in lines:
        if line.endswith("\\"):
            pending += line[:-1] + " "
        else:
            out.append(pending + line)
            pending = ""
    return out


def _split_comment(command: str) -> tuple[str, str]:
    """(command, its trailing comment): a comment starts with `#` after two spaces."""
    code, _, comment = command.partition("  #")
    return code.strip(), comment.strip()


def _shortened(argv: list[str]) -> list[str]:
    """A `tpc train` command cut to 1 epoch (and 200 examples when generated), quiet."""
    if argv[:2] != ["tpc", "train"]:
        return argv
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == "--epochs":
            skip = True
        else:
            out.append(a)
    return (
        out + ["--epochs", "1", "--quiet"] + ([] if "--data" in argv else ["--dataset-size", "200"])
    )


def run(command: str, cwd: Path) -> tuple[int, str]:
    """Run one example command (a `&&` chain stops at the first failure): (status, output)."""
    output = ""
    for part in command.split(" && "):
        argv = shlex.split(part)
        if argv[0] == "tpc":
            os.chdir(cwd)
            result = CliRunner().invoke(main, _shortened(argv)[1:], catch_exceptions=False)
            status, out = result.exit_code, result.output
        else:
            done = subprocess.run(
                ["bash", "-c", part],
                cwd=cwd,
                env=SHELL_ENV,
                capture_output=True,
                text=True,
                timeout=120,
            )
            status, out = done.returncode, done.stdout + done.stderr
        output += out
        if status:
            return status, output
    return 0, output


def _pattern(shown: list[str]) -> re.Pattern:
    parts = []
    for line in shown:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(map(re.escape, line.rstrip().split("..."))) + r"\n")
    return re.compile("".join(parts))


def check(command: str, shown: list[str], cwd: Path) -> None:
    """Run one example in `cwd`; assert the exit status and output its doc shows."""
    code, comment = _split_comment(command)
    status, output = run(code, cwd)
    status_shown = re.match(r"exit (\d+)", comment)
    expected = (
        int(status_shown[1])
        if status_shown
        else 2
        if shown[:1] and shown[0].startswith("error:")
        else 0
    )
    assert status == expected, f"`{code}` exited {status}, not {expected}:\n{output}"
    if comment.startswith("prints "):
        shown = [comment[len("prints ") :]]
    if shown:
        lines = "".join(line.rstrip() + "\n" for line in output.splitlines())
        assert _pattern(shown).fullmatch(lines), f"`{code}` printed:\n{output}"


# Examples over 10 s on 2 busy cores run with -m slow; nothing after them reads their output.
SLOW = {
    "tpc verify examples/models/sort/model.pt sort_model.py --max-len 5",  # every input: 14 s
    "tpc verify examples/models/sort/model.pt sort.py --max-len 5",
    "tpc ablate ../shared/reference/sort --task sort",  # 10,000 examples x 25 ablations: 23 s
}
DOCS = ["README.md", "docs/cli.md"]
RUNNABLE = {
    doc: [case for case in examples(doc) if not case[0].startswith("make ")] for doc in DOCS
}
CASES = [
    pytest.param(
        doc,
        i,
        id=f"{doc}:{i}",
        marks=[pytest.mark.slow] if _split_comment(command)[0] in SLOW else [],
    )
    for doc in DOCS
    for i, (command, _) in enumerate(RUNNABLE[doc])
]


@pytest.fixture(scope="module")
def sandboxes(tmp_path_factory):
    """Per doc: a directory whose examples/ and ../shared are the repository's (read only:
    every command writes beside them), and how many of the doc's examples ran there."""
    made = {}
    for doc in DOCS:
        root = tmp_path_factory.mktemp("doc")
        (root / "repo").mkdir()
        (root / "repo" / "examples").symlink_to(ROOT / "examples")
        (root / "shared").symlink_to(ROOT.parent / "shared")
        made[doc] = {"cwd": root / "repo", "ran": 0}
    return made


def test_every_doc_has_its_examples():
    assert all(len(RUNNABLE[doc]) >= 15 for doc in DOCS)
    assert SLOW <= {_split_comment(c)[0] for doc in DOCS for c, _ in RUNNABLE[doc]}


@pytest.mark.parametrize("doc, index", CASES)
def test_doc_example_runs_as_shown(doc, index, sandboxes, monkeypatch):
    """The example, after the doc's earlier ones that have not run (deselected ones: a later
    example may read what an earlier one wrote; not slow ones, whose output none reads)."""
    box = sandboxes[doc]
    monkeypatch.chdir(box["cwd"])  # restored after: in-process commands chdir too
    for earlier in range(box["ran"], index + 1):
        box["ran"] = earlier + 1
        command, shown = RUNNABLE[doc][earlier]
        if earlier == index or _split_comment(command)[0] not in SLOW:
            check(command, shown, box["cwd"])
