"""Every Comparison, counted by SelectorWidth and combined into one weighted sum."""

from tracr.rasp import rasp

vocab = {1, 2, 3}
max_seq_len = 4
C = rasp.Comparison
ops = [C.EQ, C.LT, C.LEQ, C.GT, C.GEQ, C.NEQ, C.TRUE, C.FALSE]
total = rasp.Full(0)
for n, op in enumerate(ops):
    width = rasp.SelectorWidth(rasp.Select(rasp.tokens, rasp.tokens, op))
    total = rasp.SequenceMap(lambda t, w, n=n: t + w * (n + 1) ** 2, total, width)
program = total.named("all_comparisons")
