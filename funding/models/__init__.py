from .pay import ChairPay
from .record import Category, FundingRecord, Project, Source
from .standard import FundingStandard, WomenPopulation

__all__ = ["Category", "ChairPay", "FundingRecord", "FundingStandard", "Project", "Source", "WomenPopulation"]
