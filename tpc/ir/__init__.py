"""The typed RASP IR: values, types, nodes, programs, inference, validation, JSON."""

from .builder import Builder
from .infer import MAX_VALUE_SET, infer_type, reachable_sums
from .nodes import (
    ALL_NODES, COMPARISONS, REDUCTIONS, Aggregate, Constant, Indices, Map, Node, Ones, Predicate,
    Readout, Select, SelectAnd, SelectNot, SelectOr, SelectorWidth, SequenceMap, Table, Tokens,
    compare, input_fields, reads, rename_inputs, select_leaves,
)
from .names import FreshNames
from .program import IRError, Program, choose_main_output, validate
from .scores import add_row, f32, linear_weights, numerical_row, pooled_total
from .serialize import (
    from_json, program_from_dict, program_to_dict, to_json, value_from_json, value_to_json,
)
from .types import (
    BOS, DEFAULT_MAX_LEN, SELECTOR, Categorical, Domain, Numerical, SelectorType, contains, same_kind,
)
from .visitor import Visitor
from .values import Value, is_number, normalize, show, sort_key, to_plain, value_key, value_set

__all__ = [
    "Builder", "MAX_VALUE_SET", "infer_type", "reachable_sums", "ALL_NODES", "COMPARISONS",
    "REDUCTIONS", "Aggregate", "Constant", "Indices", "Map", "Node", "Ones", "Predicate", "Readout",
    "Select", "SelectAnd", "SelectNot", "SelectOr", "SelectorWidth", "SequenceMap", "Table",
    "Tokens", "compare", "input_fields", "reads", "rename_inputs", "select_leaves", "FreshNames",
    "IRError",
    "Program", "choose_main_output", "validate", "add_row", "f32",
    "linear_weights", "numerical_row", "pooled_total", "from_json", "program_from_dict",
    "program_to_dict", "to_json", "value_from_json", "value_to_json", "BOS", "DEFAULT_MAX_LEN",
    "SELECTOR", "Categorical", "Domain", "Numerical", "SelectorType", "contains", "same_kind",
    "Visitor", "Value", "is_number", "normalize", "show", "sort_key", "to_plain", "value_key",
    "value_set",
]
