"""A drop-in for tracr's `compile_rasp_to_model`: a tracr program -> a compiled tpc model whose
`.apply([bos, *tokens]).decoded` gives what tracr's model gives, and which `.save`s as a tpc
checkpoint (`tpc verify`, `tpc lift` and `tpc run` of its lifted program read it)."""

from __future__ import annotations

from typing import NamedTuple

from tpc.errors import TpcError
from tpc.ir import BOS, value_key


class ModelOutput(NamedTuple):
    """What `apply` returns; `decoded[0]` is the BOS token, as in tracr."""

    decoded: list


class CompiledTracrModel:
    """The compiled program (`compiled`: tpc.assemble's result) with tracr's calling convention."""

    def __init__(self, compiled, bos: str):
        self.compiled, self.bos = compiled, bos
        self.program = compiled.program
        self._ids = {value_key(t): i for i, t in enumerate(compiled.tokens)}
        self._py = {}

    @property
    def params(self) -> int:
        return self.compiled.stats["params"]

    def apply(self, tokens: list) -> ModelOutput:
        """The model on `tokens` (BOS first, as tracr's models take them)."""
        import torch  # lazy: only a model run needs it

        from tpc.frontend.tracr_values import to_value

        if not tokens or tokens[0] != self.bos:
            raise TpcError(f"the input must start with the BOS token {self.bos!r}")
        if len(tokens) - 1 > self.program.domain.max_len:
            raise TpcError(
                f"the input has {len(tokens) - 1} tokens; the model takes at most "
                f"{self.program.domain.max_len}"
            )
        try:
            ids = [self._ids[value_key(BOS)]] + [
                self._ids[value_key(to_value(t))] for t in tokens[1:]
            ]
        except KeyError as err:
            raise TpcError(f"token {err.args[0][1]!r} is not in the vocabulary") from None
        with torch.inference_mode():
            pred = self.compiled.model.predict(torch.tensor([ids]))[0].tolist()
        return ModelOutput([self.bos] + [_as_python(self.compiled.classes[c]) for c in pred[1:]])

    def save(self, path) -> None:
        """Write a tpc checkpoint (atomically)."""
        from tpc.assemble import save_compiled

        save_compiled(self.compiled, path)


def _as_python(value):
    """An IR value as tracr's models decode it: fractions as floats."""
    from fractions import Fraction

    return float(value) if isinstance(value, Fraction) else value


def compile_rasp_to_model(
    program,
    vocab,
    max_seq_len: int,
    causal: bool = False,
    compiler_bos: str = "BOS",
    compiler_pad: str = "PAD",
    mlp_exactness: int = 100,
    level: int = 1,
) -> CompiledTracrModel:
    """tracr's `compile_rasp_to_model`, exact: `program` translated (tpc.frontend.tracr_to_ir),
    optimized at `level` and assembled. `compiler_pad` and `mlp_exactness` are accepted for
    tracr's callers and change nothing (tpc's MLPs are exact lookups)."""
    from tpc.assemble import assemble
    from tpc.frontend.tracr_to_ir import tracr_to_ir
    from tpc.passes import optimize

    del compiler_pad, mlp_exactness
    if compiler_bos in vocab:
        raise TpcError(f"the BOS token {compiler_bos!r} is also in the vocabulary")
    # The checkpoint's BOS is tpc's own (every tpc tool reads it); `apply` maps tracr's to it.
    ir = tracr_to_ir(program, vocab, max_seq_len, causal, origin="compile_rasp_to_model")
    return CompiledTracrModel(assemble(optimize(ir, level)), compiler_bos)
