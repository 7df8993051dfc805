"""One module per concept; each is imported here so Django finds its models."""

from .rotation import RotationMonth, RotationSetting  # noqa: F401  (轮值主席)
