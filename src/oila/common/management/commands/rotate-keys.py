"""`oila rotate-keys`: the same command as `oila rotate_keys` (a hyphen is fine in a module that
Django imports with importlib)."""

from oila.common.management.commands.rotate_keys import Command

__all__ = ["Command"]
