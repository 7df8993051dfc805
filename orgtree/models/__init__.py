from .committee import Office, Role, Term, TermDelay, ViceChairType
from .election import Candidate, Election, ElectionAmendment, OfficerChoice
from .person import Person
from .position import ServicePosition
from .unit import Unit

__all__ = [
    "Candidate", "Election", "ElectionAmendment", "Office", "OfficerChoice", "Person", "Role", "ServicePosition",
    "Term", "TermDelay", "Unit", "ViceChairType",
]
