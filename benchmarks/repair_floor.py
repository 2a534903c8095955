"""The failing positions no readout can fix: a model's exact variables against its spec.

    python benchmarks/repair_floor.py MODEL examples/specs/TASK.rasp TASK

Every scored position of the domain (every input up to the model's longest) is grouped by its
hard-mode variables (every categorical head's and MLP's value, every numerical value: what
the readout reads). A group whose positions need different labels cannot be right everywhere
whatever the readout, so its minority is a floor for `tpc repair`'s readout refit; only a
change of a head or MLP can go below it. Prints the counts and the largest such groups with an
input of each label (`@ i`: the position in the model's input, `<s>` at 0). Used for the
"Floor" column of docs/results.md's repair table.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

import numpy as np
import torch

from tpc.model.checkpoint import load_model
from tpc.repair.check import ModelCheck
from tpc.repair.driver import spec_convention
from tpc.repair.readout import hard_variables
from tpc.verify.conventions import convention_for
from tpc.verify.search import enumerate_inputs

_BATCH = 4096


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("spec")
    ap.add_argument("task")
    ap.add_argument("--show", type=int, default=8, help="Mixed groups to print.")
    args = ap.parse_args()
    loaded = load_model(args.model)
    model = loaded.model.eval()
    convention = spec_convention(args.task)
    check = ModelCheck(
        args.model,
        args.spec,
        convention,
        loaded.tokens,
        loaded.labels,
        convention_for(convention).eos,
    )
    p = check.prepared
    need = defaultdict(Counter)  # variables -> how many positions need each label
    wrong = Counter()  # variables -> failing positions
    example = {}  # (variables, label) -> (input ids, position)
    with torch.no_grad():
        for length in range(1, p.max_len + 1):
            idx = enumerate_inputs(p.n_vocab, length, 0, p.n_vocab**length)
            for lo in range(0, len(idx), _BATCH):
                part = idx[lo : lo + _BATCH]
                ids = check.model_rows(part)
                labels = check.spec_labels(part, set()).reshape(-1)
                x = torch.from_numpy(ids)
                predicted = model.predict(x).numpy().reshape(-1)
                cat, num = hard_variables(model, x)
                keys = torch.cat([cat.double(), num.double()], 1).numpy()
                for at in np.nonzero(labels)[0]:
                    key, label = keys[at].tobytes(), int(labels[at])
                    need[key][label] += 1
                    wrong[key] += int(predicted[at] != label)
                    example.setdefault((key, label), (ids[at // ids.shape[1]], at % ids.shape[1]))
    mixed = {k: c for k, c in need.items() if len(c) > 1}
    floor = sum(sum(c.values()) - max(c.values()) for c in mixed.values())
    print(f"{len(need)} distinct variable vectors at scored positions; {len(mixed)} need >1 label")
    in_mixed = sum(wrong[k] for k in mixed)
    print(f"failing positions: {sum(wrong.values())}; in those groups: {in_mixed}")
    print(f"floor (no readout gets these right with these heads and MLPs): {floor} positions")
    for key, counts in sorted(mixed.items(), key=lambda kc: -wrong[kc[0]])[: args.show]:
        parts = []
        for label, n in counts.most_common():
            ids, at = example[(key, label)]
            text = " ".join(str(loaded.tokens[i]) for i in ids)
            parts.append(f"{loaded.labels[label]} x{n} (e.g. {text} @ {at})")
        print("  same variables, needs:", "; ".join(parts))


if __name__ == "__main__":
    main()
