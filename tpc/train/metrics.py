"""Entity-level precision, recall and F1 as seqeval scores them in strict IOB2 mode (the
paper's `conll_score`): an entity is a B-X followed by any I-X of the same type; an I-X
that starts nothing is no entity; a predicted entity counts when its type, start and end
all match a true one."""

from __future__ import annotations


def entities(tags) -> set[tuple[str, int, int]]:
    """(type, first, last) of every entity of one sentence's IOB2 tags."""
    found = set()
    i = 0
    while i < len(tags):
        tag = tags[i]
        if tag.startswith("B-"):
            kind, j = tag[2:], i + 1
            while j < len(tags) and tags[j] == f"I-{kind}":
                j += 1
            found.add((kind, i, j - 1))
            i = j
        else:
            i += 1
    return found


def entity_scores(true_tags, pred_tags) -> dict[str, float]:
    """precision, recall, f1 over sentences (lists of tag lists); 0 where undefined."""
    right = n_pred = n_true = 0
    for t, p in zip(true_tags, pred_tags):
        te, pe = entities(t), entities(p)
        right += len(te & pe)
        n_pred += len(pe)
        n_true += len(te)
    precision = right / n_pred if n_pred else 0.0
    recall = right / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
