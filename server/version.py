"""The version of Verbund (the API description names it), apart from the app factory."""

__version__ = "0.1.0"
