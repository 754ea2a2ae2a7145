"""The ``fundwatch`` subcommands, one module per room they drive. Each module has ``register(sub)``, which adds
its parsers; every command is a function ``cmd_*(app) -> exit code`` that only wires the rooms' plain functions
to the command line and prints their outcome. The service commands (``run``, ``worker``, ``serve``, ``status``)
stay in ``scheduler.py`` beside the scheduler they start."""

from commands import data, digests, followup, matching, report, sources, strategy, users

#: in the order they appear in ``fundwatch --help``
MODULES = (data, sources, matching, digests, followup, report, strategy, users)

__all__ = ["MODULES"]
