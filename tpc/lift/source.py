"""Find and load the model a user asks to lift: one loader for every command that takes a model
(`tpc.model.checkpoint.load_model`)."""

from tpc.model.checkpoint import LoadedModel, load_model

__all__ = ["LoadedModel", "load_model"]
