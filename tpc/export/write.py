"""`tpc export`: a model (or a program, compiled first) -> a TransformerLens or ONNX directory.

The directory is written as a whole: every file goes to a temporary directory beside it,
which then replaces DIR (an existing DIR is replaced only when it is an earlier export).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from tpc.artifact import Choices, compile_program, kind_of, load
from tpc.errors import TpcError
from tpc.export.describe import FORMAT, labels_json, vocab_json
from tpc.export.weights import Weights, build_weights
from tpc.ir import BOS
from tpc.model.checkpoint import LoadedModel
from tpc.model.discrete import discretize

TARGETS = ("tl", "onnx")


def weights_of(loaded: LoadedModel) -> Weights:
    """The export's weights for a loaded model."""
    model = loaded.model
    if getattr(model.cfg, "pool_outputs", False):
        raise TpcError(
            f"{loaded.path}: a pooled classifier's readout (a mean over positions) is not exported"
        )
    bos = [i for i, t in enumerate(loaded.tokens) if str(t) == BOS]
    if not bos:
        raise TpcError(f"{loaded.path}: the model's tokens have no BOS {BOS!r}")
    return build_weights(
        discretize(model), model.cfg.n_ctx, tuple(str(t) for t in loaded.tokens), bos[0]
    )


def export(loaded: LoadedModel, to: str, directory, weights: Weights | None = None) -> Weights:
    """Write `loaded` as an export of kind `to` ("tl" or "onnx") into `directory`;
    `weights`: its `weights_of`, when already built (one build for both kinds)."""
    if to not in TARGETS:
        raise TpcError(f"unknown export target {to!r} (expected {' or '.join(TARGETS)})")
    w = weights if weights is not None else weights_of(loaded)
    from tpc.export.tl import tl_config, tl_model  # lazy: transformer_lens

    model = tl_model(w)
    out = Path(directory)
    _check_target(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        files = {"vocab.json": vocab_json(loaded, w), "labels.json": labels_json(loaded, w)}
        if to == "tl":
            from safetensors.torch import save_file  # lazy: optional

            files["config.json"] = tl_config(w)
            save_file(
                {k: v.contiguous() for k, v in model.state_dict().items()},
                str(tmp / "model.safetensors"),
            )
        else:
            from tpc.export.onnx import write_onnx

            write_onnx(model, tmp / "model.onnx", w.n_ctx)
        for name, doc in files.items():
            (tmp / name).write_text(json.dumps(doc, indent=1) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return w


def _check_target(out: Path) -> None:
    if not out.parent.is_dir():
        raise TpcError(f"cannot write {out}: directory {out.parent} does not exist")
    if out.exists():
        vocab = out / "vocab.json"
        ok = out.is_dir() and vocab.is_file() and f'"{FORMAT}"' in vocab.read_text(errors="replace")
        if not ok or out.is_symlink():
            raise TpcError(
                f"cannot write {out}: it exists and is not an earlier export "
                "(remove it or name another directory)"
            )


def load_source(
    path: str, *, vocab=None, max_len=None, causal=None, level: int = 1, output_name=None
) -> LoadedModel:
    """What `tpc export` reads: a model as `load_model` reads it, or a program (.rasp, IR
    .json, a tracr .py) compiled as `tpc compile` compiles it (its typed tokens and classes
    kept); any other kind is the error `tpc.artifact.load` gives."""
    if kind_of(path).model:
        from tpc.model.checkpoint import load_model

        return load_model(path)
    c = compile_program(load(path, Choices(vocab, max_len, causal or None)), output_name, level)
    return LoadedModel(
        c.model.eval(),
        c.tokens,
        c.classes,
        f"compiled:{c.output}",
        path,
        "compiled",
        c.program.domain.implicit_bos,
    )
