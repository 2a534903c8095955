"""Every visitor in tpc handles every node class: adding a node class without teaching each
visitor about it fails here, not on some program months later."""

import importlib
import pkgutil

import pytest

import tpc
from tpc.ir import ALL_NODES, Categorical, Numerical, Ones, Tokens, Visitor


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _all_visitors():
    for info in pkgutil.walk_packages(tpc.__path__, "tpc."):
        if not info.name.endswith("__main__"):  # running it would run the CLI
            importlib.import_module(info.name)
    for name in ("tpc.passes", "naive"):  # tpc.passes lives in passes/; naive is the tests' oracle
        importlib.import_module(name)
    return sorted(
        (c for c in _subclasses(Visitor) if c.__module__ != __name__), key=lambda c: c.__qualname__
    )


VISITORS = _all_visitors()


def test_type_inference_passes_and_the_test_oracle_are_visitors():
    names = {c.__module__ for c in VISITORS}
    assert {"tpc.ir.infer", "tpc.passes.fold", "tpc.passes.narrow", "naive"} <= names


@pytest.mark.parametrize("visitor", VISITORS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_visitor_handles_every_node_class(visitor):
    assert visitor.missing() == []


def test_a_missing_visit_method_is_reported_by_name():
    class Partial(Visitor):
        def visit_Tokens(self, node):
            return "tokens"

    assert len(Partial.missing()) == len(ALL_NODES) - 1 and "Readout" in Partial.missing()
    assert Partial().visit(Tokens(name="tokens", type=Categorical(["a", "<s>"]))) == "tokens"
    with pytest.raises(NotImplementedError, match="Partial has no visit_Ones"):
        Partial().visit(Ones(name="ones", type=Numerical([1])))
