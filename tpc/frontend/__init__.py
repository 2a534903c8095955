"""The RASP frontend: tpc's RASP dialect (grammar/rasp.lark) -> IR programs.

- parser, pragmas: the text -> a lark tree, the `#!tpc` lines.
- driver: `rasp_to_ir`, `rasp_file_to_ir`, `rasp_domain` (the one place a source's domain is
  decided), `translate_rasp`, `run_rasp` (one input); failures: RASP's run-time
  errors (`RunChecks`); witness: a translation for one input, each node's values on it.
- translate: statements, expressions, scopes and inlining of `def`s -> values.
- values: what names and expressions stand for (SOp, Expr, Sel, ...), element-wise operations.
- fusion: element-wise chains -> one table; bos: keeping BOS out of RASP's view.
- builtins: aggregate, selector_width, ...; extensions: select, table maps, readouts.
- context: the source, domain, mode, IR builder and names one translation shares.
"""

from tpc.frontend.driver import (
    rasp_domain, rasp_file_to_ir, rasp_to_ir, rasp_to_ir_checked, run_rasp, translate_rasp,
)
from tpc.frontend.failures import RunChecks
from tpc.frontend.parser import parse
from tpc.frontend.pragmas import Pragmas, read_pragmas

__all__ = ["rasp_to_ir", "rasp_to_ir_checked", "rasp_domain", "run_rasp", "translate_rasp",
           "RunChecks",
           "rasp_file_to_ir", "parse", "Pragmas", "read_pragmas"]
