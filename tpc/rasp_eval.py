"""tracr's RASP evaluators (`tpc.rasp.evaluate`, `tpc.rasp.evaluate_causal`): what tracr's
`rasp.evaluate` and `causal_eval.evaluate` give. Expressions are dispatched by class name
(`eval_Map` for `tpc.rasp.Map`; a user's subclass by its nearest tpc.rasp class), so this
module needs none of tpc.rasp's classes."""

from __future__ import annotations

from typing import Any, Sequence

Value = Any


def _is_selector(expr) -> bool:
    return any(cls.__name__ == "Selector" for cls in type(expr).__mro__)


def _mean(selected: list, default: Value) -> Value:
    if not selected:
        return default
    if len(selected) == 1:
        return selected[0]
    if all(isinstance(x, (int, bool, float)) for x in selected):
        return sum(selected) / len(selected)
    raise ValueError(
        f"Only types int, bool, and float are supported for aggregation. "
        f"Received sequence: {selected}"
    )


class DefaultRASPEvaluator:
    """tracr's evaluator: every expression evaluated from its children, on one input."""

    def evaluate(self, expr, xs: Sequence[Value]):
        method = getattr(self, "eval_" + type(expr).__name__, None)
        if method is None:
            for cls in type(expr).__mro__:  # a user's subclass: its nearest known class
                method = getattr(self, "eval_" + cls.__name__, None)
                if method is not None:
                    break
        if method is None or type(expr).__name__ in ("SOp", "Selector", "RASPExpr"):
            raise NotImplementedError(f"Evaluation of {expr} is not defined.")
        return method(expr, xs)

    def eval_TokensType(self, expr, xs):
        return list(xs)

    def eval_IndicesType(self, expr, xs):
        return list(range(len(xs)))

    def eval_LengthType(self, expr, xs):
        return [len(xs)] * len(xs)

    def eval_Map(self, expr, xs):
        return [None if x is None else expr.f(x) for x in self.evaluate(expr.inner, xs)]

    def eval_SequenceMap(self, expr, xs):
        pairs = zip(self.evaluate(expr.fst, xs), self.evaluate(expr.snd, xs))
        return [None if x is None or y is None else expr.f(x, y) for x, y in pairs]

    def eval_Full(self, expr, xs):
        return [expr.fill] * len(xs)

    def eval_ConstantSOp(self, expr, xs):
        if expr.check_length and len(xs) != len(expr.value):
            raise ValueError(f"Constant len {len(expr.value)} doesn't match input len {len(xs)}.")
        return expr.value

    eval_ConstantSelector = eval_ConstantSOp

    def eval_SelectorWidth(self, expr, xs):
        return [sum(row) for row in self.evaluate(expr.selector, xs)]

    def eval_Aggregate(self, expr, xs):
        values = self.evaluate(expr.sop, xs)
        return [
            _mean([v for s, v in zip(row, values) if s], expr.default)
            for row in self.evaluate(expr.selector, xs)
        ]

    def eval_Select(self, expr, xs):
        keys, queries = self.evaluate(expr.keys, xs), self.evaluate(expr.queries, xs)
        return [[bool(expr.predicate(k, q)) for k in keys] for q in queries]

    def eval_SelectorAnd(self, expr, xs):
        a, b = self.evaluate(expr.fst, xs), self.evaluate(expr.snd, xs)
        return [[bool(x and y) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]

    def eval_SelectorOr(self, expr, xs):
        a, b = self.evaluate(expr.fst, xs), self.evaluate(expr.snd, xs)
        return [[bool(x or y) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]

    def eval_SelectorNot(self, expr, xs):
        return [[not x for x in row] for row in self.evaluate(expr.inner, xs)]


evaluate = DefaultRASPEvaluator().evaluate


class CausalEvaluator(DefaultRASPEvaluator):
    """tracr's causal evaluator (`tracr.rasp.causal_eval`): every selector, once computed, loses
    the keys after its query (so `~s` selects only earlier unselected keys)."""

    def evaluate(self, expr, xs: Sequence[Value]):
        out = super().evaluate(expr, xs)
        if _is_selector(expr):
            out = [[bool(x) and k <= q for k, x in enumerate(row)] for q, row in enumerate(out)]
        return out


evaluate_causal = CausalEvaluator().evaluate
