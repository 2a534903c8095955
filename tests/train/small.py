"""Small `tpc train` settings shared by tests: as TrainOptions fields and as command-line flags."""

from __future__ import annotations

# A 1-layer sort model that trains in about a second.
TINY_SORT = dict(
    task="sort",
    vocab_size=6,
    max_length=6,
    layers=1,
    cat_heads=2,
    num_heads=1,
    cat_mlps=1,
    num_mlps=1,
    mlp_width=8,
    epochs=4,
    batch_size=64,
    dataset_size=300,
    checkpoint_every=2,
)


def train_flags(**options) -> list[str]:
    """`tpc train` flags for `options` (`cat_heads=1` -> `--cat-heads 1`; True -> a bare flag)."""
    flags = []
    for name, value in options.items():
        flags.append("--" + name.replace("_", "-"))
        if value is not True:
            flags.append(str(value))
    return flags


# One categorical head and one word variable: the smallest text model.
ONE_HEAD_TEXT = train_flags(
    layers=1, cat_heads=1, num_heads=0, cat_mlps=0, num_mlps=0, embed_vars=1, epochs=1, quiet=True
)
