"""oila: case management and programme monitoring for family-strengthening programmes."""

__version__ = "0.1.0"
