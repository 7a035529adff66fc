"""`oila demo-data`: the same command as `oila demo_data` (Django names commands after their module,
and imports them with importlib, so a hyphen in this file's name is fine)."""

from oila.demo.management.commands.demo_data import Command

__all__ = ["Command"]
