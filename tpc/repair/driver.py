"""`tpc repair`: counterexample-guided repair of a Transformer Program against its spec.

Round 0 checks the model as given. Each later round fine-tunes the best model so far on the
task's training data plus every counterexample found so far (`finetune`), then checks the
result over the whole domain (`check`). The best round (fewest failing inputs, then fewest
failing positions, then the earliest) is what is written, so the final model is never worse
than any round, the original included. With `grow`, `patience` rounds without a better check
add modules that keep the program (`grow`) before the next fine-tune.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import attrs
import torch

from tpc.atomic import write_text
from tpc.errors import TpcError
from tpc.model.checkpoint import load_model, save_checkpoint
from tpc.model.learned import TransformerProgram
from tpc.repair.check import Failures, ModelCheck
from tpc.repair.exact import solve_readout
from tpc.repair.finetune import Pool, freeze_modules, pad, training_rows, tune_epochs
from tpc.repair.grow import add_classes, grow, grown_config
from tpc.repair.options import RepairOptions
from tpc.repair.readout import ReadoutRows, fit_readout, readout_rows
from tpc.tasks import make_dataset
from tpc.tasks.registry import USER_TASK_PREFIXES
from tpc.verify.conventions import convention_for


def spec_convention(task: str) -> str:
    """The input convention of a task's model (`tpc.verify.conventions`); a user's task
    (`spec:FILE`, `data:FILE`) reads `<s>` then the tokens."""
    return "bos" if task.startswith(USER_TASK_PREFIXES) else task


@attrs.define
class Round:
    index: int
    failures: Failures
    model: TransformerProgram
    seconds: dict
    grown: bool = False
    pool: int = 0  # counterexamples known once this round's check is in
    epochs: list = attrs.field(factory=list)  # failing inputs after each epoch checked

    def score(self) -> tuple:
        return (self.failures.failing_inputs, self.failures.failing_positions, self.index)

    def record(self) -> dict:
        f = self.failures
        return {
            "round": self.index,
            "failing_inputs": f.failing_inputs,
            "failing_positions": f.failing_positions,
            "inputs": f.inputs,
            "mode": f.mode,
            "counterexamples": self.pool,
            "grown": self.grown,
            "epochs": self.epochs,
            "config": self.model.cfg.to_dict() if self.grown else None,
            "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def _clone(model: TransformerProgram) -> TransformerProgram:
    copy = TransformerProgram(model.cfg)
    copy.load_state_dict(model.state_dict())
    return copy.eval()


def _donors(model: TransformerProgram, rows, classes) -> list[int | None]:
    """For each class id in `classes`: the class `model` predicts most often at the
    positions of `rows` labelled with it (None where no position is)."""
    counts = {c: Counter() for c in classes}
    with torch.no_grad():
        for ids, labels in rows:
            predicted = model.predict(torch.from_numpy(ids)).numpy()
            for c in classes:
                counts[c].update(predicted[labels == c].tolist())
    return [counts[c].most_common(1)[0][0] if counts[c] else None for c in classes]


class Repair:
    """One repair run: the model, its spec and task, the data, and the rounds so far."""

    def __init__(self, model_path, spec, opts: RepairOptions, out_dir, log=print):
        loaded = load_model(model_path)
        if not isinstance(loaded.model, TransformerProgram):
            raise TpcError(
                f"{model_path}: repair fine-tunes trained models (tpc train or the "
                "paper's runs); a compiled model is already its program"
            )
        self.task = opts.task or loaded.task
        if not self.task:
            raise TpcError(f"{model_path} records no task: pass --task")
        self.convention = spec_convention(self.task)
        self.eos = convention_for(self.convention).eos
        self.model_path = model_path
        self.original, self.tokens, self.labels = loaded.model, loaded.tokens, loaded.labels
        self.spec, self.opts, self.out_dir, self.log = Path(spec), opts, Path(out_dir), log
        freeze_modules(_clone(self.original), opts.freeze)  # a bad name fails before any work
        self.data = self._training_data()
        self.pool = Pool(self.original.cfg.n_ctx)
        self.rounds: list[Round] = []
        self.domain: tuple[torch.Tensor, torch.Tensor] | None = None  # set by run()

    def _training_data(self):
        cfg = self.original.cfg
        data = make_dataset(
            self.task, len(self.tokens), cfg.n_ctx, None, self.opts.dataset_size, self.opts.seed
        )
        if tuple(data.tokens) != tuple(self.tokens):
            raise TpcError(
                f"the task {self.task}'s data has tokens {' '.join(data.tokens)}; "
                f"the model has {' '.join(self.tokens)}"
            )
        return data

    def training_split(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The task's training split with label ids of the model (which may have more)."""
        ids = torch.tensor([self.labels.index(label) for label in self.data.labels])
        return self.data.train.x, ids[self.data.train.y]

    def add_missing_labels(self, missing: set, scratch: Path) -> Round:
        """The model with a class for each spec output it lacked (`grow.add_classes`: they
        win nowhere yet), checked again. Each new class starts just behind the class the
        model predicts most where the spec wants the new one (its donor)."""
        new = sorted(missing, key=lambda v: (len(v), v))
        self.log(
            f"the spec or the task's data has labels {', '.join(new)}, which the model has "
            "no class for: added (no prediction changes until fine-tuning)"
        )
        first = len(self.labels)
        self.labels = (*self.labels, *new)
        start = time.perf_counter()
        placeholder = add_classes(self.original, len(new))  # labels the failing inputs
        failures = self.check(placeholder, scratch)
        donors = _donors(self.original, failures.rows, range(first, len(self.labels)))
        model = add_classes(self.original, len(new), donors)
        return Round(0, self.check(model, scratch), model, {"check": time.perf_counter() - start})

    def save(self, model, path, metrics=None) -> None:
        save_checkpoint(
            path, model, tokens=self.tokens, labels=self.labels, task=self.task, metrics=metrics
        )

    def _check_args(self, path: Path) -> dict:
        """ModelCheck's arguments for the model stored at `path`."""
        return dict(
            model_path=str(path),
            spec=str(self.spec),
            convention=self.convention,
            tokens=self.tokens,
            labels=self.labels,
            eos=self.eos,
            max_len=self.opts.max_len,
        )

    def check(self, model, scratch: Path) -> Failures:
        path = scratch / "candidate.pt"
        self.save(model, path)
        o, args = self.opts, self._check_args(path)
        run = dict(exhaustive_limit=o.exhaustive_limit, samples=o.samples, seed=o.seed)
        if o.workers > 1:
            from tpc.repair.workers import check_with_workers  # lazy: torch.distributed

            return check_with_workers({**args, **run}, o.workers)
        return ModelCheck(**args).run(**run)

    @property
    def best(self) -> Round:
        return min(self.rounds, key=Round.score)

    def _progress(self, r: Round) -> None:
        f, total = r.failures, sum(r.seconds.values())
        verdict = (
            f"correct on all {f.inputs} inputs"
            if f.failing_inputs == 0
            else f"{f.failing_inputs} of {f.inputs} inputs fail "
            f"({100 * f.failing_inputs / max(f.inputs, 1):.3f}%), "
            f"at {f.failing_positions} positions"
        )
        extra = " (grown: " + self._shape(r.model.cfg) + ")" if r.grown else ""
        if len(r.epochs) > 1:
            extra += f"; epochs checked: {', '.join(map(str, r.epochs))}"
        self.log(
            f"round {r.index}: {verdict}; {len(self.pool)} counterexamples so far; "
            f"{total:.1f} s{extra}"
        )

    @staticmethod
    def _shape(cfg) -> str:
        return (
            f"{cfg.n_layers} layers, {cfg.n_heads_cat}+{cfg.n_heads_num} heads, "
            f"{cfg.n_cat_mlps}+{cfg.n_num_mlps} MLPs"
        )

    def run(self) -> Round:
        """Rounds until no input fails or the budget ends; returns the best round."""
        o = self.opts
        with tempfile.TemporaryDirectory(dir=self.out_dir, prefix=".repair-") as scratch:
            scratch = Path(scratch)
            start = time.perf_counter()
            first = Round(
                0,
                self.check(self.original, scratch),
                self.original,
                {"check": time.perf_counter() - start},
            )
            missing = first.failures.missing | (set(self.data.labels) - set(self.labels))
            if missing:
                first = self.add_missing_labels(missing, scratch)
            if o.exact_readout and first.failures.mode == "exhaustive":
                self.domain = self._domain(scratch)
            self._finish_round(first)
            stale, growth = 0, 0
            for index in range(1, o.rounds + 1):
                if self.best.failures.failing_inputs == 0:
                    break
                base, grown = _clone(self.best.model), False
                if o.grow and stale >= o.patience:
                    base = grow(base, grown_config(base.cfg, growth), o.seed + index)
                    growth, stale, grown = growth + 1, 0, True
                still = Pool(self.pool.n_ctx)
                still.add(self.best.failures.rows)
                x, y = training_rows(
                    *self.training_split(), self.pool, o.oversample, still, o.focus
                )
                readout_only = index == 1 and o.readout_steps and not grown
                r = self._tune(index, base, x, y, scratch, grown, readout_only)
                before = self.best.score()
                self._finish_round(r)
                stale = 0 if r.score() < before else stale + 1
        return self.best

    def _tune(self, index, base, x, y, scratch: Path, grown, readout_only) -> Round:
        """The round's model: its best epoch (each fine-tuning epoch, with the readout
        refit, is checked). The round ends at the first epoch worse than an earlier one
        (once a few inputs fail, a further epoch moves more inputs than it fixes, and the
        next round starts again from the best model), except a round that grew the model
        (its new modules start untrained). Every epoch's failures join the pool.
        Round 1 (`readout_only`) refits the readout of `base` alone: the smallest change."""
        o, seconds, trail = self.opts, Counter(), []
        models = iter([base]) if readout_only else tune_epochs(base, x, y, o, o.seed + index)
        best, t0 = None, time.perf_counter()
        for model in models:
            t1 = time.perf_counter()
            candidate = fit_readout(_clone(model), x, y, o.readout_steps, o.readout_lr)
            if self.domain is not None and o.readout_steps and not model.cfg.pool_outputs:
                solve_readout(candidate, self.domain_rows(candidate))
            t2 = time.perf_counter()
            failures = self.check(candidate, scratch)
            seconds.update(fine_tune=t1 - t0, readout=t2 - t1, check=time.perf_counter() - t2)
            self.pool.add(failures.rows)
            trail.append(failures.failing_inputs)
            r = Round(index, failures, candidate, {}, grown, epochs=trail)
            if best is not None and r.score() > best.score() and not grown:
                break
            best = r if best is None or r.score() < best.score() else best
            if failures.failing_inputs == 0:
                break
            t0 = time.perf_counter()
        best.seconds = dict(seconds)
        return best

    def _domain(self, scratch: Path) -> tuple[torch.Tensor, torch.Tensor]:
        """Every input of the (exhaustive) domain, padded to n_ctx, with the spec's labels."""
        found = ModelCheck(**self._check_args(scratch / "candidate.pt")).domain()
        n = self.pool.n_ctx
        x = torch.cat([pad(torch.from_numpy(ids), n) for ids, _ in found])
        return x, torch.cat([pad(torch.from_numpy(labels), n) for _, labels in found])

    def domain_rows(self, model: TransformerProgram) -> ReadoutRows:
        return readout_rows(model, *self.domain)

    def _finish_round(self, r: Round) -> None:
        self.rounds.append(r)
        self.pool.add(r.failures.rows)
        r.pool = len(self.pool)
        self._progress(r)
        # Kept as it goes: a run stopped early leaves its best model and history so far.
        if self.best is r:
            self.save(r.model, self.out_dir / "model.pt")
        write_text(
            self.out_dir / "metrics.json",
            json.dumps(
                {"finished": False, "best_round": self.best.index, "rounds": self.history()},
                indent=2,
            )
            + "\n",
        )

    def history(self) -> list[dict]:
        return [r.record() for r in self.rounds]


def repair(model_path, spec, opts: RepairOptions, out_dir, log=print) -> dict:
    """Repair, then write model.pt (the best round), program.py (its lifted program, checked
    equal to it on every input of the domain) and metrics.json; returns the metrics."""
    from tpc.repair.report import write_outputs  # the lift and the checks of the result

    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TpcError(f"cannot write to output directory {out_dir}: {e.strerror}") from None
    start = time.perf_counter()
    job = Repair(model_path, spec, opts, out_dir, log)
    best = job.run()
    metrics = write_outputs(job, best, out_dir, time.perf_counter() - start)
    write_text(out_dir / "metrics.json", json.dumps(metrics, indent=2) + "\n")
    return metrics
