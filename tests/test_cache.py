"""The cache of lifted programs (tpc.cache): a hit is exactly the lift, a changed checkpoint
or a damaged entry is never read, and tests never touch the user's own cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from tpc.passes import optimize

from tests.model.tiny import tiny_checkpoint
from tpc import cache
from tpc.cli import main
from tpc.lift import lift_checkpoint


def _checkpoint(path: Path, seed: int) -> Path:
    return tiny_checkpoint(path, seed, task="sort")


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / "lift").glob("*.json")) if (folder / "lift").is_dir() else []


@pytest.fixture
def no_lifting(monkeypatch):
    """Lifting raises: whatever is returned came from the cache."""

    def refuse(path, *limit):
        raise AssertionError(f"lifted {path} again")

    # the module, not `tpc.lift`: the package exports the API function of that name
    monkeypatch.setattr(sys.modules["tpc.lift"], "lift_checkpoint", refuse)


def test_tests_use_a_private_cache(private_cache):
    assert cache.cache_dir() == private_cache
    assert Path.home() / ".cache" not in private_cache.parents


@pytest.mark.parametrize("level", [0, 1])
def test_a_hit_is_the_lift_itself(tmp_path, private_cache, level, request):
    path = _checkpoint(tmp_path / "model.pt", 0)
    fresh = optimize(lift_checkpoint(path), level)
    assert cache.lifted(path, level) == fresh
    assert len(_entries(private_cache)) == (1 if level == 0 else 2)  # level 1 is built from 0
    request.getfixturevalue("no_lifting")
    again = cache.lifted(path, level)
    assert again == fresh and again.origin == fresh.origin and again.meta == fresh.meta


def test_a_changed_checkpoint_is_lifted_again(tmp_path):
    path = _checkpoint(tmp_path / "model.pt", 0)
    first = cache.lifted(path)
    _checkpoint(path, 1)  # same path, other weights
    second = cache.lifted(path)
    assert second == lift_checkpoint(path) and second != first


def test_a_changed_tpc_is_lifted_again(tmp_path, private_cache, monkeypatch):
    path = _checkpoint(tmp_path / "model.pt", 0)
    cache.lifted(path)
    monkeypatch.setattr(cache, "source_digest", lambda: "another tpc")
    cache.lifted(path)
    assert len(_entries(private_cache)) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_entry_is_ignored_and_rebuilt(tmp_path, private_cache, damage):
    path = _checkpoint(tmp_path / "model.pt", 0)
    fresh = cache.lifted(path)
    [entry] = _entries(private_cache)
    data = entry.read_bytes()
    middle = len(data) // 2
    entry.write_bytes(
        {
            "truncate": data[:middle],
            "flip": data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :],
            "garbage": b"\xff\xfe not json",
            "empty": b"",
        }[damage]
    )
    assert cache.lifted(path) == fresh
    assert entry.read_bytes() == data  # rewritten whole


def test_switched_off_by_the_environment(tmp_path, private_cache, monkeypatch):
    monkeypatch.setenv("TPC_NO_CACHE", "1")
    cache.lifted(_checkpoint(tmp_path / "model.pt", 0))
    assert _entries(private_cache) == []


def test_no_cache_option_lasts_one_command(tmp_path, private_cache):
    path = str(_checkpoint(tmp_path / "model.pt", 0))
    out = str(tmp_path / "graph.dot")
    result = CliRunner().invoke(main, ["draw", path, "-o", out, "--no-cache"])
    assert result.exit_code == 0, result.output
    assert _entries(private_cache) == []
    result = CliRunner().invoke(main, ["draw", path, "-o", out])
    assert result.exit_code == 0, result.output
    assert len(_entries(private_cache)) == 1


def test_a_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    folder = tmp_path / "shared-cache"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    monkeypatch.setenv("TPC_CACHE_DIR", str(folder))
    path = _checkpoint(tmp_path / "model.pt", 0)
    assert cache.cache_dir() is None and cache.lifted(path) == lift_checkpoint(path)
    assert list(folder.iterdir()) == []


def test_a_cached_trace_does_not_import_torch(tmp_path):
    path = str(_checkpoint(tmp_path / "model.pt", 0))
    first = CliRunner().invoke(main, ["trace", path, "-i", "1 2"])  # fills the cache
    assert first.exit_code == 0, first.output
    code = (
        "import sys; from tpc.cli import main\n"
        f"try: main(['trace', {path!r}, '-i', '1 2'])\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == first.output


def test_a_missing_model_is_the_lifts_own_error(tmp_path, private_cache):
    from tpc.errors import TpcError

    with pytest.raises(TpcError, match=f"no model at {tmp_path}/model.pt"):
        cache.lifted(tmp_path)
    assert _entries(private_cache) == []


def test_every_reader_of_a_model_shares_the_cache(tmp_path, private_cache, request):
    """The cache sits in tpc.artifact.lift: a program `tpc lift` stored is what emit, run,
    check and the Python API read back, without lifting again."""
    import tpc.api
    from tpc.ir import from_json

    path = str(_checkpoint(tmp_path / "model.pt", 0))
    stored = CliRunner().invoke(main, ["lift", path, "--to", "json", "-O0"])
    assert stored.exit_code == 0, stored.output
    request.getfixturevalue("no_lifting")
    emitted = CliRunner().invoke(main, ["emit", path, "--to", "json"])
    assert emitted.exit_code == 0, emitted.output
    assert emitted.stdout == stored.stdout
    for command in (["run", path, "-i", "1 2"], ["check", path]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0, result.output
    assert tpc.api.load(path) == tpc.api.lift(path, 0) == from_json(stored.stdout)
