"""What a repair may spend and how it fine-tunes (`tpc repair --help` explains each)."""

from __future__ import annotations

import attrs


@attrs.frozen
class RepairOptions:
    task: str | None = None  # None: the checkpoint's own task
    rounds: int = 10  # fine-tuning rounds at most (each followed by a check)
    epochs: int = 10  # epochs per round
    lr: float = 1e-2  # lower than training's 5e-2: the program should move little
    tau_init: float = 0.5  # a trained model is sharp; a low temperature keeps its choices
    tau_end: float = 0.01
    batch_size: int = 512
    # Each counterexample (every failing input found so far, labelled by the spec) appears
    # this many times per epoch beside the task's training data.
    oversample: int = 4
    # The inputs the best model so far still fails are added again, repeated until they make
    # up at least this share of an epoch: a few stubborn inputs are not drowned by the data.
    focus: float = 0.1
    # Full-batch Adam steps refitting the readout alone on the hard-mode variables after each
    # fine-tune (`readout`); round 1 refits only the readout, the smallest change.
    readout_steps: int = 500
    readout_lr: float = 0.05
    # Where the check is exhaustive, the readout refit is then finished by a linear program
    # over every row of the domain (`exact`): each position decided right where the fixed
    # modules' variables allow it.
    exact_readout: bool = True
    dataset_size: int = 20000
    seed: int = 0
    freeze: tuple[str, ...] = attrs.field(default=(), converter=tuple)  # module names/prefixes
    grow: bool = False  # add modules (keeping the program) when rounds stop improving
    patience: int = 2  # rounds without a better check before --grow adds modules
    max_len: int | None = None  # None: the model's whole domain
    exhaustive_limit: int = 2_000_000
    samples: int = 100_000
    workers: int = 1
    smt_len: int | None = None  # a final `--method smt` proof at this length

    def to_dict(self) -> dict:
        return attrs.asdict(self)
