from .unit import Unit

__all__ = ["Unit"]
