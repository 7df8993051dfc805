from .record import Category, FundingRecord, Project, Source
from .standard import FundingStandard, WomenPopulation

__all__ = ["Category", "FundingRecord", "FundingStandard", "Project", "Source", "WomenPopulation"]
