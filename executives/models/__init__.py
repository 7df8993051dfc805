"""One module per concept; each is imported here so Django finds its models."""

from executives.models.activities import RULE_KINDS, Activity, ActivityType, Evaluation, Grade, PointsRule  # noqa: F401
