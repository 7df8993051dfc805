from .committee import Appointment, DrawnFrom, LeaveReason, Office, Role, Term, TermDelay, ViceChairType
from .duty import DutyArea
from .election import Candidate, Election, ElectionAmendment, OfficerChoice
from .figures import GroupFigures, GroupFiguresDay, UnitFigures
from .pay import ChairPay
from .person import IdNumberClash, Person
from .position import ServicePosition
from .snapshot import CoverageSnapshot
from .unit import Unit

__all__ = [
    "Appointment",
    "Candidate",
    "ChairPay",
    "CoverageSnapshot",
    "DrawnFrom",
    "DutyArea",
    "Election",
    "ElectionAmendment",
    "GroupFigures",
    "GroupFiguresDay",
    "IdNumberClash",
    "LeaveReason",
    "Office",
    "OfficerChoice",
    "Person",
    "Role",
    "ServicePosition",
    "Term",
    "TermDelay",
    "Unit",
    "UnitFigures",
    "ViceChairType",
]
