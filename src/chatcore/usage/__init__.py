"""Usage: token quotas, the request rate limit, and the monthly report.

This package exports the context's types: its model and its ports; its use cases
are exported by ``chatcore.usage.use_cases``."""

from chatcore.usage.model import Period, Reservation, UsageEntry, UsageTotals
from chatcore.usage.ports import RateLimiter, UsageLedger

__all__ = [
    "Period",
    "RateLimiter",
    "Reservation",
    "UsageEntry",
    "UsageLedger",
    "UsageTotals",
]
