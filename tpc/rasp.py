"""tracr's RASP API, under tracr's names, with the semantics of tracr's own evaluator.

A program written against `tracr.rasp.rasp` runs unchanged with `from tpc import rasp`: the
same classes, operators, annotations (`numerical`, `categorical`, `.named`), simplifications
(a Map of a Map is one Map; `&`, `|`, `~` of Selects with the same keys and queries are one
Select) and labels. `evaluate(program, tokens)` computes what tracr's evaluator does: Maps
and SequenceMaps give None where an input is None, Comparisons refuse None, an Aggregate
averages the numbers it selects (one value as it is, none: its default). What tpc compiles
from such a program is `tpc.frontend.tracr_to_ir`.

This module is the namespace; the classes live in `rasp_sops` (s-ops of s-ops),
`rasp_selectors` (selectors and what reads them) and `rasp_expr` (their base).
"""

from __future__ import annotations

from tpc.rasp_eval import CausalEvaluator, DefaultRASPEvaluator, evaluate, evaluate_causal
from tpc.rasp_expr import (
    Encoding,
    RASPExpr,
    Value,
    annotate,
    categorical,
    get_encoding,
    is_categorical,
    is_numerical,
    numerical,
)
from tpc.rasp_selectors import (
    Aggregate,
    Comparison,
    ConstantSelector,
    Select,
    Selector,
    SelectorAnd,
    SelectorNot,
    SelectorOr,
    SelectorWidth,
    selector_and,
    selector_not,
    selector_or,
)
from tpc.rasp_sops import (
    ConstantSOp,
    Full,
    IndicesType,
    LengthType,
    LinearSequenceMap,
    Map,
    SequenceMap,
    SOp,
    TokensType,
    indices,
    length,
    sop_not,
    tokens,
)

__all__ = [
    "Aggregate",
    "Comparison",
    "ConstantSOp",
    "ConstantSelector",
    "Encoding",
    "Full",
    "IndicesType",
    "LengthType",
    "LinearSequenceMap",
    "Map",
    "RASPExpr",
    "SOp",
    "Select",
    "Selector",
    "SelectorAnd",
    "SelectorNot",
    "SelectorOr",
    "SelectorWidth",
    "SequenceMap",
    "TokensType",
    "Value",
    "annotate",
    "categorical",
    "get_encoding",
    "indices",
    "is_categorical",
    "is_numerical",
    "length",
    "numerical",
    "selector_and",
    "selector_not",
    "selector_or",
    "sop_not",
    "tokens",
    "CausalEvaluator",
    "DefaultRASPEvaluator",
    "evaluate",
    "evaluate_causal",
]
