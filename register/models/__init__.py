"""One module per concept; each is imported here so Django finds its models."""

from .organization import Coverage, Organization, OrgKind, Requirement, Subtype  # noqa: F401
from .rule import BuildRule  # noqa: F401
