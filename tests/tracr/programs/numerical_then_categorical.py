"""A numerical mean read by a categorical Map (a threshold)."""

from tracr.rasp import rasp

vocab = {"a", "b"}
max_seq_len = 6
is_a = rasp.numerical(rasp.Map(lambda t: 1 if t == "a" else 0, rasp.tokens)).named("is_a")
every = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.TRUE).named("every")
share = rasp.numerical(rasp.Aggregate(every, is_a, default=0)).named("share")
program = rasp.Map(lambda f: "mostly a" if f > 0.5 else "not mostly a", share).named("verdict")
