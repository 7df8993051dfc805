"""One module per concept; each is imported here so Django finds its models."""

from .training import Attendance, TrainingSession  # noqa: F401 - training
