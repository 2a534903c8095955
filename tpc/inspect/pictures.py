"""PNG pictures through matplotlib (the optional `pictures` extra), written atomically."""

from __future__ import annotations

import io

from tpc.atomic import write_bytes
from tpc.errors import TpcError
from tpc.inspect.graph import (
    BOX_H, BOX_W, COLORS, SHOWN_LABELS, Graph, edge_ends, positions, stage_y,
)


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or a one-line error when it is missing."""
    try:
        import matplotlib
    except ImportError:
        raise TpcError("pictures need matplotlib: pip install 'tpc[pictures]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    write_bytes(path, buf.getvalue())


def attention_grid(doc: dict, path) -> None:
    """Each head of a trace (see trace.trace) as a query x key heatmap of what it selects, the
    key a nearest head reads outlined in red."""
    plt = pyplot()
    heads = doc["heads"]
    if not heads:
        raise TpcError("the traced variables include no attention head: nothing to draw")
    labels = [f"{i}:{t}" for i, t in enumerate(doc["tokens"])]
    cols = min(4, len(heads))
    rows = -(-len(heads) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(heads):]:
        ax.axis("off")
    for ax, head in zip(axes.flat, heads):
        ax.imshow(head["selected"], cmap="Blues", vmin=0, vmax=1.6)
        for q, k in enumerate(head.get("key", [])):
            if k is not None:
                ax.add_patch(plt.Rectangle((k - 0.5, q - 0.5), 1, 1, fill=False, edgecolor="red", lw=2))
        ax.set_title(f"{head['name']} ({head['reduce']})", fontsize=9)
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=90)
        ax.set_yticks(range(len(labels)), labels, fontsize=7)
        ax.set_xlabel("key", fontsize=8)
        ax.set_ylabel("query", fontsize=8)
    fig.tight_layout()
    save(fig, path)


def ablation_bars(rows: list[dict], baseline: float, path) -> None:
    """Accuracy without each module (rows as ablate.ablate returns them), worst first."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(rows) + 1.2))
    names = [r["module"] for r in rows]
    ax.barh(range(len(rows)), [r["accuracy"] for r in rows],
            color=["#c0392b" if r["drop"] > 0 else "#7fb77e" for r in rows])
    ax.axvline(baseline, color="black", ls="--", lw=1, label=f"intact {baseline:.4f}")
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("accuracy with the module ablated")
    ax.legend(loc="lower right", fontsize=8)
    save(fig, path)


def training_curve(history: list[dict], path) -> None:
    """Loss and soft accuracy per epoch (tpc train's metrics.json "history")."""
    plt = pyplot()
    epochs = [h["epoch"] for h in history]
    fig, left = plt.subplots(figsize=(6, 3.5))
    left.plot(epochs, [h["loss"] for h in history], color="#1f77b4")
    left.set_xlabel("epoch")
    left.set_ylabel("training loss", color="#1f77b4")
    right = left.twinx()
    right.plot(epochs, [h["acc"] for h in history], color="#d62728")
    right.set_ylabel("training accuracy (soft)", color="#d62728")
    right.set_ylim(0, 1)
    save(fig, path)


def graph_png(graph: Graph, path) -> None:
    """The dataflow graph laid out as graph.to_svg lays it out."""
    plt = pyplot()
    where = positions(graph)
    width = max(x for x, _ in where.values()) + BOX_W
    height = max(y for _, y in where.values()) + BOX_H * 2
    fig, ax = plt.subplots(figsize=(width / 90, height / 90))
    for e, (x1, y1, x2, y2, lx, ly) in zip(graph.edges, edge_ends(graph)):
        ax.annotate("", xy=(x2, y2), xytext=(x1, y1), arrowprops=dict(arrowstyle="->", color="#555", lw=0.8))
        if e.label in SHOWN_LABELS:
            ax.text(lx, ly, e.label, fontsize=6, color="#a33",
                    ha="center", va="center", bbox=dict(fc="white", ec="none", pad=0.5))
    for v in graph.vertices:
        x, y = where[v.name]
        ax.add_patch(plt.Rectangle((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, fc=COLORS[v.role], ec="#333",
                                   zorder=3))
        ax.text(x, y, v.name, ha="center", va="center", fontsize=7, zorder=4)
    for stage in range(graph.stages):
        ax.text(5, stage_y(graph, stage), graph.stage_label(stage), fontsize=7, color="#666", va="center")
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    save(fig, path)

