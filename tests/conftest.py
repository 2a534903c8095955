"""Suite-wide set-up: one torch thread per pytest-xdist worker, a fixed hypothesis profile for
CI, and the path to shared data."""

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs the suite on one worker per core (pytest -n): a second torch thread
    # per worker would only contend for the same cores. Set before any test imports torch
    # (its OpenMP pool reads these when it loads); commands the tests start inherit them.
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = "1"
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=200)
# CI and the default run use the fixed "ci" profile; HYPOTHESIS_PROFILE=dev explores more.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repo (CI clones the repo with shared/ next to it)."""
    path = REPO.parent / "shared"
    assert path.is_dir(), f"shared data not found at {path}"
    return path


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every test (and every command it runs) keeps tpc's cache in a folder of its own, never
    in the user's ~/.cache/tpc."""
    folder = tmp_path_factory.mktemp("tpc-cache")
    monkeypatch.setenv("TPC_CACHE_DIR", str(folder))
    monkeypatch.delenv("TPC_NO_CACHE", raising=False)
    return folder
