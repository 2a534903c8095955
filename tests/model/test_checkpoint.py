import attrs
import pytest
import torch

from tests.model.tiny import tiny_config
from tpc.errors import TpcError
from tpc.model.checkpoint import load_checkpoint, save_checkpoint
from tpc.model.learned import TransformerProgram

CFG = tiny_config(vocab_size=5, n_classes=4, n_ctx=6, d_var=6, d_mlp=64)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = TransformerProgram(CFG)
    path = tmp_path / "model.pt"
    save_checkpoint(
        path, model, tokens="abcde", labels="wxyz", task="sort", metrics={"test_acc": 0.5}
    )
    return model, path


def test_round_trip_with_weights_only(saved):
    model, path = saved
    loaded, meta = load_checkpoint(path)
    assert loaded.cfg == CFG and meta.tokens == tuple("abcde") and meta.task == "sort"
    assert meta.metrics == {"test_acc": 0.5}
    x = torch.tensor([[1, 2, 3, 4, 0, 0]])
    assert torch.equal(loaded.predict(x), model.eval().predict(x))
    assert isinstance(torch.load(path, weights_only=True)["config"], dict)


def test_missing_file(tmp_path):
    with pytest.raises(TpcError, match="no checkpoint"):
        load_checkpoint(tmp_path / "nope.pt")


def test_truncated_file(saved):
    _, path = saved
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(TpcError, match="not a loadable checkpoint"):
        load_checkpoint(path)


def test_not_a_checkpoint(tmp_path):
    path = tmp_path / "x.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(TpcError, match="not a tpc checkpoint"):
        load_checkpoint(path)


class Evil:
    pass


def test_pickle_needing_weights_only_false_is_refused(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"format": "x", "obj": Evil()}, path)
    with pytest.raises(TpcError, match="not a loadable checkpoint"):
        load_checkpoint(path)


def test_other_architecture(saved):
    _, path = saved
    payload = torch.load(path, weights_only=True)
    payload["config"]["n_heads_cat"] = 2
    torch.save(payload, path)
    with pytest.raises(TpcError, match=r"state\.unembed: .* does not match the config"):
        load_checkpoint(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(d_var=4), "narrower than the one-hot vocabulary"),
        (dict(d_var=5, vocab_size=5), "narrower than the one-hot positions"),
        (dict(n_layers=0), "layers must be"),
    ],
)
def test_impossible_sizes(change, message):
    with pytest.raises(TpcError, match=message):
        attrs.evolve(CFG, **change)
