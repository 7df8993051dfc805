"""One module per concept; each is imported here so Django finds its models."""

from .contacts import ContactList, ContactVisit, NamedContact

__all__ = ["ContactList", "ContactVisit", "NamedContact"]
