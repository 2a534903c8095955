"""What a repair leaves in its directory: the best round's model, its lifted program (checked
equal to the model on every input of the domain), the modules that changed, and the history."""

from __future__ import annotations

from pathlib import Path

from tpc.artifact import lift
from tpc.atomic import write_text
from tpc.backends.python import to_python
from tpc.lift import lift_checkpoint
from tpc.repair.diff import changed_modules
from tpc.verify import verify


def write_outputs(job, best, out_dir: Path, seconds: float) -> dict:
    opts = job.opts
    original = job.rounds[0]
    metrics = {
        "finished": True,
        "task": job.task,
        "spec": str(job.spec),
        "best_round": best.index,
        "failing_inputs": best.failures.failing_inputs,
        "failing_positions": best.failures.failing_positions,
        "inputs": best.failures.inputs,
        "mode": best.failures.mode,
        "original_failing_inputs": original.failures.failing_inputs,
        "original_failing_positions": original.failures.failing_positions,
        "rounds": job.history(),
    }
    model_path = out_dir / "model.pt"
    job.save(
        best.model,
        model_path,
        {
            "repair": {
                k: metrics[k]
                for k in ("best_round", "failing_inputs", "inputs", "original_failing_inputs")
            }
        },
    )
    result = lift(model_path)
    write_text(out_dir / "program.py", to_python(result.program))
    same = verify(
        model_path,
        result.program,
        max_len=opts.max_len,
        exhaustive_limit=opts.exhaustive_limit,
        samples=opts.samples,
        seed=opts.seed,
    )
    metrics["lift"] = {
        "equivalent": same.equivalent,
        "inputs": same.inputs,
        "mode": same.mode,
        "seconds": round(same.seconds, 2),
    }
    job.log(f"lifted program: {same.summary()}")
    metrics["modules"] = changed_modules(lift_checkpoint(job.model_path), result.lifted)
    changed = metrics["modules"]
    job.log(
        f"modules changed: {', '.join(changed['changed']) or 'none'}; added: "
        f"{', '.join(changed['added']) or 'none'}; readout terms changed: "
        f"{len(changed['readout_terms_changed'])}"
    )
    if opts.smt_len is not None:
        from tpc.verify.smt import smt_verify  # lazy: z3

        proof = smt_verify(model_path, job.spec, max_len=opts.smt_len, task=job.convention)
        metrics["smt"] = {
            "verdict": proof.verdict,
            "max_len": opts.smt_len,
            "summary": proof.summary(),
        }
        job.log(f"smt: {proof.summary()}")
    metrics.update(seconds=round(seconds, 1), options=opts.to_dict())
    return metrics
