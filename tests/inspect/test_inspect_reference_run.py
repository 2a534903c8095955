"""The inspection tools on the paper's own sort run (../shared/reference/sort)."""

import json

import pytest
from click.testing import CliRunner

from tpc.cli import main
from tpc.artifact import load
from tpc.inspect.graph import dataflow
from tpc.inspect.trace import trace


@pytest.fixture(scope="module")
def sort_run(shared_dir):
    path = shared_dir / "reference/sort"
    return path, load(path), json.loads((path / "cases.json").read_text())


def test_trace_agrees_with_the_reference_models_predictions(sort_run):
    _, program, cases = sort_run
    for tokens, predicted in list(zip(cases["inputs"], cases["predictions"]))[:25]:
        doc = trace(program, tokens)
        (readout,) = doc["readouts"]
        assert [p["winner"] for p in readout["positions"]] == predicted
        values = {v["name"]: v["values"] for v in doc["variables"]}
        assert len(doc["heads"]) == 8
        for head in doc["heads"]:  # every head of this run is a nearest head
            value_node = program[head["name"]].values
            for q, key in enumerate(head["key"]):
                row = head["selected"][q]
                others = [k for k, hit in enumerate(row) if hit and k != q]
                want = min(others, key=lambda k: (abs(k - q), k)) if others else (q if row[q] else 0)
                assert key == want
                assert values[head["name"]][q] == values[value_node][key]


def test_graph_puts_each_lifted_module_in_its_model_layer(sort_run):
    _, program, _ = sort_run
    stages = {v.name: v.stage for v in dataflow(program).vertices}
    assert stages["l1_cat_head1"] == 3  # reads only tokens and indices, but sits in layer 1
    assert stages["l0_cat_head0"] == 1 and stages["l0_cat_mlp0"] == 2 and stages["l1_cat_mlp0"] == 4
    assert stages["readout"] == 5 and stages["tokens"] == 0


@pytest.mark.slow
def test_ablate_the_reference_sort_run(sort_run):
    path, _, _ = sort_run
    r = CliRunner().invoke(main, ["ablate", str(path), "--task", "sort", "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["examples"] == 1000 and 0.97 < result["accuracy"] < 0.99
    assert len(result["modules"]) == 10 + 13  # 8 heads, 2 MLPs; 13 readout terms
    assert all(m["drop"] > 0 for m in result["modules"] if m["kind"] != "term")
