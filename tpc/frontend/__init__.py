"""The RASP frontend: tpc's RASP dialect (grammar/rasp.lark) -> IR programs."""

from .compiler import compile_file, compile_rasp
from .parser import parse

__all__ = ["compile_rasp", "compile_file", "parse"]
