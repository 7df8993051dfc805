from .approval import LOCKING, Approval, ApprovalState
from .campaign import Campaign, KeyTask, Milestone, TaskStatus
from .checklist import (
    Area,
    Assignment,
    ChecklistItem,
    ChecklistTemplate,
    Evidence,
    ItemStatus,
    TemplateItem,
    ValueType,
)
from .problem import UNRESOLVED, Problem, ProblemStatus
from .visit import DEMONSTRATION_KINDS, Pilot, Visit, VisitKind

__all__ = [
    "DEMONSTRATION_KINDS",
    "LOCKING",
    "UNRESOLVED",
    "Approval",
    "ApprovalState",
    "Area",
    "Assignment",
    "Campaign",
    "ChecklistItem",
    "ChecklistTemplate",
    "Evidence",
    "ItemStatus",
    "KeyTask",
    "Milestone",
    "Pilot",
    "Problem",
    "ProblemStatus",
    "TaskStatus",
    "TemplateItem",
    "ValueType",
    "Visit",
    "VisitKind",
]
