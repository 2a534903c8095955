"""IR -> Transformer Program weights, exactly: the driver.

Every IR s-op is realized as a *view* of model variables (`views`); `lower_node` lowers each
node the chosen output needs, allocating heads and MLPs in `layout` only where the model must
compute something new; `readout` reads the output's view into class scores and `weights`
builds the model. The weights are built so that the model's hard mode computes the IR
exactly; `tpc.assemble.check` verifies that with the model's own forward.

A construct that cannot be assembled exactly raises `CompileError` (never an approximation).
"""

from __future__ import annotations

import math
import time

import attrs

from tpc.assemble.layout import PAD, CompileError, Layout
from tpc.assemble.lower_node import NodeLowering
from tpc.assemble.margin import model_weights, readout_margin
from tpc.assemble.readout import readout_rows
from tpc.assemble.views import Views
from tpc.assemble.weights import build_model, name_modules
from tpc.ir import Program, show
from tpc.model.wired import WiredProgram


@attrs.define
class Compiled:
    model: WiredProgram
    tokens: tuple  # token id -> IR value (PAD first, then the vocabulary, then BOS)
    classes: tuple  # class id -> IR value (index 0 is the masked <pad> class)
    labels: tuple  # class id -> label string
    program: Program
    output: str
    seconds: float
    stats: dict
    readout: object = None  # margin.CatReadout / NumReadout: what the readout must tell apart
    margin: object = None  # margin.Margin of the readout (None: the program's own score tables)


def label(v) -> str:
    """A token or class value as the checkpoint spells it."""
    return show(v) if not isinstance(v, str) else v


def choose_output(program: Program, output: str | None) -> str:
    """`output`, or the program's only output."""
    outs = program.output_map
    if output is None:
        if len(outs) != 1:
            raise CompileError(
                f"the program has {len(outs)} outputs ({', '.join(outs)}); "
                "a model has one readout: choose one with --output-name"
            )
        output = next(iter(outs))
    if output not in outs:
        raise CompileError(f"no output named {output!r} (outputs: {', '.join(outs)})")
    return output


# The longest input a compiled model supports: its tables grow with the square of max_len
# (most_freq.rasp at 64: 57M parameters, 0.6 GB, 50 s; at 256 it passes 16 GB).
MAX_LEN_LIMIT = 64


def assemble(program: Program, output: str | None = None) -> Compiled:
    """Assemble `program` (its output `output`, or its only output) into a Transformer Program."""
    t0 = time.perf_counter()
    output = choose_output(program, output)
    dom = program.domain
    if dom.max_len > MAX_LEN_LIMIT:
        raise CompileError(
            f"max_len {dom.max_len} is beyond the supported limit of {MAX_LEN_LIMIT} for "
            "compiling (a model's tables grow with its square)"
        )
    layout = Layout(dom)
    views = Views(program, layout)
    lowering = NodeLowering(views, layout)
    for node in program.live([program.output_map[output]]):
        lowering.lower_node(node)
    classes, rows, spec = readout_rows(views, output)
    name_modules(layout)
    model = build_model(layout, len(classes) + 1, rows, dom.causal)
    all_classes = (PAD, *classes)
    margin = readout_margin(model_weights(model), all_classes, spec)
    if margin is not None and not margin.ok:
        raise CompileError(
            f"{output}: the readout cannot tell its classes apart in float32 at max length "
            f"{dom.max_len}: {margin.case} by {margin.margin:.3g}, within the float32 error "
            f"bound {margin.bound:.3g}"
        )
    seconds = time.perf_counter() - t0
    cfg = model.cfg
    stats = {
        "layers": cfg.n_layers,
        "heads": sum(1 for o in layout.ops if o.kind.endswith("head")),
        "mlps": sum(1 for o in layout.ops if o.kind.endswith("mlp")),
        "d_model": cfg.d_model,
        "params": sum(p.numel() for p in model.parameters()),
        "seconds": seconds,
    }
    if margin is not None and math.isfinite(margin.margin):
        stats.update(readout_margin=margin.margin, readout_error_bound=margin.bound)
    return Compiled(
        model,
        layout.token_values,
        all_classes,
        tuple(label(c) for c in all_classes),
        program,
        output,
        seconds,
        stats,
        spec,
        margin,
    )
