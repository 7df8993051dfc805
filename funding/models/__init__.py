from .record import Category, FundingRecord, Project, Source
from .result import StaleCompliance, UnitCompliance
from .standard import FundingStandard, WomenPopulation

__all__ = [
    "Category",
    "FundingRecord",
    "FundingStandard",
    "Project",
    "Source",
    "StaleCompliance",
    "UnitCompliance",
    "WomenPopulation",
]
