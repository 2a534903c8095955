"""docs/api.md's examples run, and print what the page says they print."""

import doctest
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "api.md"


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


def test_the_page_has_examples_for_each_function():
    text = "".join(_blocks())
    for name in ("load", "lift", "compile", "emit", "run", "trace", "verify"):
        assert f"tpc.{name}(" in text


def test_api_page_examples_run(tmp_path, monkeypatch):
    # From the repository's root as the page says, but writing (sort.pt) into tmp_path.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    globs: dict = {}
    for i, block in enumerate(_blocks()):  # one namespace: later blocks use earlier names
        test = parser.get_doctest(block, globs, f"api.md block {i + 1}", str(PAGE), 0)
        runner.run(test, out=sys.stdout.write, clear_globs=False)
        globs = test.globs
    assert runner.summarize(verbose=False).failed == 0
    assert (tmp_path / "sort.pt").is_file()


def test_importing_tpc_is_cheap_and_the_api_is_there():
    import subprocess

    code = (
        "import sys, tpc\n"
        "print(sorted(m for m in ('torch', 'lark', 'libcst') if m in sys.modules))\n"
        "print(callable(tpc.lift) and callable(tpc.verify) and callable(tpc.load))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stderr


def test_api_names_survive_importing_the_modules_they_share_with():
    import tpc
    import tpc.lift.lower  # noqa: F401  (binding tpc.lift the package would hide the function)
    import tpc.load  # noqa: F401
    import tpc.verify.driver  # noqa: F401

    assert tpc.lift.__module__ == tpc.verify.__module__ == tpc.load.__module__ == "tpc.api"
