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
from .report import Cadence, Report, ReportPlan, ReportState
from .visit import DEMONSTRATION_KINDS, Pilot, Visit, VisitKind

__all__ = [
    "DEMONSTRATION_KINDS",
    "LOCKING",
    "UNRESOLVED",
    "Approval",
    "ApprovalState",
    "Area",
    "Assignment",
    "Cadence",
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
    "Report",
    "ReportPlan",
    "ReportState",
    "TaskStatus",
    "TemplateItem",
    "ValueType",
    "Visit",
    "VisitKind",
]
