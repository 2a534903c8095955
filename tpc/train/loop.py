"""Train a Transformer Program: Adam, Gumbel-softmax with geometric tau annealing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from tpc.atomic import write_text
from tpc.errors import TpcError
from tpc.model import ops
from tpc.model.checkpoint import load_checkpoint, save_checkpoint
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.model.tensors import expected_state
from tpc.tasks.dataset import Dataset
from tpc.tasks.registry import get_task
from tpc.train.metrics import entity_scores
from tpc.train.options import TrainOptions
from tpc.train.progress import Progress
from tpc.train.setup import build_config, init_from_glove, load_data, pick_device

RESUME_FILE = "resume.pt"
CURVE_FILE = "training-curve.png"


def sequence_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over sequences of the mean token cross-entropy on non-pad (id 0) targets."""
    nll = -ops.log_softmax(logits).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    real = targets != 0
    return (nll.masked_fill(~real, 0.0).sum(-1) / real.sum(-1)).mean()


# Query-key pairs per evaluation batch. A batch's tensors grow with sentences x positions^2
# (attention scores, and variables of d_var >= positions values): 4096 sentences of 66
# positions took 3.7 GB, where 120 take 0.55 GB and half the CPU time.
EVAL_PAIRS = 1 << 19


@torch.no_grad()
def predictions(model: TransformerProgram, x: torch.Tensor) -> torch.Tensor:
    """Hard-mode class ids of every position, on the model's device, returned on the CPU."""
    device = next(model.buffers()).device
    batch = max(1, EVAL_PAIRS // max(x.shape[-1], 1) ** 2)
    return torch.cat(
        [model.predict(x[i : i + batch].to(device)).cpu() for i in range(0, len(x), batch)]
    )


def accuracy(model: TransformerProgram, x: torch.Tensor, y: torch.Tensor) -> float:
    """Hard-mode accuracy over non-pad targets."""
    real = y != 0
    return int((predictions(model, x) == y)[real].sum()) / max(int(real.sum()), 1)


def split_metrics(model: TransformerProgram, name: str, x, y, labels) -> dict[str, float]:
    """`{name}_acc` (non-pad targets), and for NER (labels with B- tags) entity-level
    `{name}_precision`, `_recall` and `_f1` as seqeval's strict IOB2 mode scores them."""
    pred = predictions(model, x)
    real = y != 0
    metrics = {f"{name}_acc": int((pred == y)[real].sum()) / max(int(real.sum()), 1)}
    if any(str(label).startswith("B-") for label in labels):
        true_tags = [
            [labels[t] for t, r in zip(row, m) if r] for row, m in zip(y.tolist(), real.tolist())
        ]
        pred_tags = [
            [labels[p] for p, r in zip(row, m) if r] for row, m in zip(pred.tolist(), real.tolist())
        ]
        metrics.update({f"{name}_{k}": v for k, v in entity_scores(true_tags, pred_tags).items()})
    return metrics


def tau_schedule(opts: TrainOptions, epoch: int, steps: int) -> np.ndarray:
    """Per-step tau: geometric from tau_init to tau_end across epochs, smooth within one."""
    per_epoch = np.geomspace(opts.tau_init, opts.tau_end, opts.epochs)
    if epoch + 1 < opts.epochs:
        return np.geomspace(per_epoch[epoch], per_epoch[epoch + 1], steps)
    return np.full(steps, per_epoch[epoch])


def _seed(*parts: int) -> int:
    """An independent seed per (run seed, epoch, rank): makes resuming stateless."""
    return int(np.random.SeedSequence(list(parts)).generate_state(1)[0])


def _prepare_output(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as e:
        raise TpcError(f"cannot write to output directory {out_dir}: {e.strerror}") from None


def _initial_model(path: str, data: Dataset) -> TransformerProgram:
    """The checkpoint's model, architecture included (a compiled program has its own), to be
    fine-tuned on `data`: its tokens and labels must be the task's."""
    model, meta = load_checkpoint(path)
    if (tuple(meta.tokens), tuple(meta.labels)) != (tuple(data.tokens), tuple(data.labels)):
        raise TpcError(
            f"--init {path}: its tokens and labels differ from the task's "
            f"({' '.join(data.tokens)} / {' '.join(data.labels)})"
        )
    return model.train()


def _new_model(cfg: ModelConfig) -> TransformerProgram:
    """A fresh model, after checking its size (without allocating it)."""
    expected_state(TransformerProgram, cfg)
    return TransformerProgram(cfg)


def _distributed() -> tuple[int, int]:
    """(rank, world size); joins the gloo process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def train(
    opts: TrainOptions,
    out_dir: str | Path,
    resume: bool = False,
    progress: bool = True,
    threads: int = 1,
) -> dict:
    """Train, write ``model.pt`` and ``metrics.json`` to ``out_dir``; return the metrics.

    Same options and thread count on the same machine give bit-identical weights.
    """
    if not str(out_dir):  # Path("") is the current directory: never write a run there unasked
        raise TpcError("-o: an empty path; name the run directory (e.g. -o runs/sort)")
    out_dir = Path(out_dir)
    if resume and not (out_dir / RESUME_FILE).is_file():
        raise TpcError(
            f"--resume: nothing to resume in {out_dir} (no {RESUME_FILE}); run without "
            "--resume to start training"
        )
    opts = opts.with_task_defaults()  # fails on a bad name before touching the disk
    device = pick_device(opts.device)
    torch.set_num_threads(threads)
    rank, world = _distributed()
    if rank == 0:
        _prepare_output(out_dir)
    if (
        opts.epochs < 1
        or opts.batch_size < world
        or opts.lr <= 0
        or min(opts.tau_init, opts.tau_end) <= 0
    ):
        raise TpcError(
            "epochs >= 1, batch size >= number of processes, lr > 0 and tau > 0 required"
        )
    data = load_data(opts)
    torch.manual_seed(opts.seed)
    model = _initial_model(opts.init, data) if opts.init else _new_model(build_config(opts, data))
    found = (
        init_from_glove(model, opts.glove, data.tokens, opts.seed)
        if opts.glove and not resume
        else {}
    )
    model.to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=opts.lr)
    start, history = 0, []
    if resume:
        start, history = _restore(out_dir / RESUME_FILE, opts, model, optimizer)
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model

    bar = Progress(opts.epochs, start, enabled=progress and rank == 0)
    text = get_task(opts.task).text
    for epoch in range(start, opts.epochs):
        loss, acc, tau = run_epoch(
            net, optimizer, data.train.x, data.train.y, opts, epoch, rank, world
        )
        shown = {"loss": loss, "acc": acc, "tau": tau}
        if text and progress and rank == 0:  # the held-out score a text run is judged by
            val = split_metrics(model.eval(), "val", data.val.x, data.val.y, data.labels)
            shown.update({k: v for k, v in val.items() if k in ("val_acc", "val_f1")})
        bar.update(epoch + 1, **shown)
        history.append({"epoch": epoch + 1, "loss": loss, "acc": acc, "tau": tau})
        if rank == 0 and ((epoch + 1) % opts.checkpoint_every == 0 or epoch + 1 == opts.epochs):
            save_checkpoint(
                out_dir / RESUME_FILE,
                model,
                tokens=data.tokens,
                labels=data.labels,
                task=opts.task,
                training={
                    "options": opts.to_dict(),
                    "epoch": epoch + 1,
                    "optimizer": optimizer.state_dict(),
                    "history": history,
                },
            )
    bar.close()

    model.eval().cpu()  # checkpoints hold CPU tensors whatever trained them
    metrics = {}
    for name, split in (("train", data.train), ("val", data.val), ("test", data.test)):
        metrics.update(split_metrics(model, name, split.x, split.y, data.labels))
    metrics.update(epochs=opts.epochs, **found, **data.info)
    if rank == 0:
        save_checkpoint(
            out_dir / "model.pt",
            model,
            tokens=data.tokens,
            labels=data.labels,
            task=opts.task,
            metrics=metrics,
        )
        write_text(
            out_dir / "metrics.json",
            json.dumps({**metrics, "options": opts.to_dict(), "history": history}, indent=2) + "\n",
        )
        _training_curve(history, out_dir / CURVE_FILE)
    if world > 1:
        dist.barrier()
    return metrics


def run_epoch(
    net, optimizer, x, y, opts: TrainOptions, epoch: int, rank: int = 0, world: int = 1
) -> tuple[float, float, float]:
    """One pass over the training set; returns (mean loss, soft accuracy, last tau)."""
    net.train()
    steps = -(-len(x) // opts.batch_size)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(_seed(opts.seed, epoch)))
    torch.manual_seed(_seed(opts.seed, epoch, rank))  # Gumbel noise
    taus = tau_schedule(opts, epoch, steps)
    loss_sum = right = total = 0.0
    for step in range(steps):
        batch = order[step * opts.batch_size : (step + 1) * opts.batch_size][rank::world]
        device = next(net.parameters()).device
        xb, yb = x[batch].to(device), y[batch].to(device)
        logits = net(xb, float(taus[step]))
        loss = sequence_loss(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        real = yb != 0
        loss_sum += loss.item() * len(batch)
        right += float((logits.argmax(-1) == yb)[real].sum())
        total += float(real.sum())
    return loss_sum * world / len(x), right / total, float(taus[-1])


def _training_curve(history: list[dict], path: Path) -> None:
    """The loss and accuracy per epoch as a PNG, when matplotlib (tpc[pictures]) is installed."""
    from tpc.inspect.pictures import training_curve  # lazy: matplotlib

    try:
        training_curve(history, path)
    except TpcError as e:  # no matplotlib: the run itself is complete
        print(f"note: no {path.name}: {e}", file=sys.stderr)


def _restore(path: Path, opts: TrainOptions, model, optimizer) -> tuple[int, list[dict]]:
    """Load a resumable checkpoint into ``model`` and ``optimizer``; return its epoch and the
    per-epoch history so far."""
    saved, meta = load_checkpoint(path)
    if meta.training is None:
        raise TpcError(f"{path} holds no training state to resume")
    same = lambda o: {k: v for k, v in o.items() if k != "device"}  # noqa: E731  (any device resumes)
    if same(meta.training["options"]) != same(opts.to_dict()):
        raise TpcError(f"--resume: {path} was written with different options")
    model.load_state_dict(saved.state_dict())
    optimizer.load_state_dict(meta.training["optimizer"])
    return int(meta.training["epoch"]), list(meta.training.get("history", []))
