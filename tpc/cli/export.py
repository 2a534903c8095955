"""`tpc export`: a model or program -> a TransformerLens or ONNX directory (docs/export.md)."""

from __future__ import annotations

import json

import click

from tpc.cli.runtime import THREADS
from tpc.cli.shared import LEVEL, OUTPUT_NAME, Int, ProgramPath, tokens_option
from tpc.load import MAX_LEN_LIMIT


@click.command("export")
@click.argument("artifact", type=ProgramPath(exists=True))
@click.option(
    "--to",
    "target",
    type=click.Choice(["tl", "onnx"]),
    required=True,
    help="tl: TransformerLens (config.json, model.safetensors); onnx: model.onnx.",
)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False),
    help="The directory to write (replaced only if it is an earlier export).",
)
@click.option(
    "--vocab", metavar="TOKENS", help="A program's tokens (RASP source only), as for `tpc compile`."
)
@click.option(
    "--max-len",
    type=Int(1, MAX_LEN_LIMIT),
    metavar="N",
    help="A program's longest input (RASP source only), as for `tpc compile`.",
)
@click.option(
    "--causal",
    is_flag=True,
    default=None,
    help="Keys visible only at or before the query (RASP source only).",
)
@OUTPUT_NAME
@LEVEL
@click.option(
    "--json", "as_json", is_flag=True, help="Print the export's sizes and margins as JSON."
)
@THREADS
def export(artifact, target, out, vocab, max_len, causal, output_name, level, as_json):
    """Export ARTIFACT to TransformerLens or ONNX, exactly: its argmax is the model's prediction.

    \b
    ARTIFACT is a model (a checkpoint, or a run of the paper's code: its directory or model.pt)
    or a program (.rasp, IR .json, a tracr .py), compiled first as `tpc compile` does. DIR gets
    vocab.json (tokens, BOS, output columns) and labels.json (each variable's residual
    dimensions, each head's block and index, each MLP's block, the softmax margins), and
    config.json + model.safetensors (--to tl) or model.onnx (--to onnx). Needs the `export` extra.

    \b
    Example:
      tpc export ../shared/reference/sort --to tl -o sort_tl
      tpc verify ../shared/reference/sort sort_tl
    """
    from tpc.export.write import export as write  # lazy: torch, transformer_lens
    from tpc.export.write import load_source

    loaded = load_source(
        artifact,
        vocab=tokens_option(vocab),
        max_len=max_len,
        causal=causal,
        level=level,
        output_name=output_name,
    )
    w = write(loaded, target, out)
    from tpc.export.tl import tl_config

    cfg = tl_config(w)
    summary = {
        "layers": cfg["n_layers"],
        "heads": cfg["n_heads"],
        "d_model": cfg["d_model"],
        "d_head": cfg["d_head"],
        "d_mlp": cfg["d_mlp"],
        "params": w.params,
        "smallest_margin": min(w.margins.values(), default=None),
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"wrote {out}: {summary['layers']} blocks, {summary['heads']} heads, d_model "
            f"{summary['d_model']}, {summary['params']:,} parameters, smallest margin "
            f"{summary['smallest_margin']}"
        )
