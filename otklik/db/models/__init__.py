"""All models, importable from one place (Alembic and the actions import this module)."""

from otklik.db.base import Base
from otklik.db.models.accounts import ApiToken, AuditEvent, User
from otklik.db.models.analytics import Attack, Community, Spike
from otklik.db.models.brands import (
    AlertChannel,
    AlertOutbox,
    Brand,
    BrandQuery,
    Channel,
    Template,
)
from otklik.db.models.care import Action, Case, CaseMention
from otklik.db.models.locations import Location
from otklik.db.models.mentions import (
    Author,
    DuplicateCluster,
    Mention,
    MentionBrand,
    MentionVersion,
    Place,
    SentimentCorrection,
)
from otklik.db.models.publish import Announcement, Incident, Refutation
from otklik.db.models.sources import DeadLetter, SandboxMessage, Source

__all__ = [
    "Action", "AlertChannel", "AlertOutbox", "Announcement", "ApiToken", "Attack", "AuditEvent",
    "Author", "Base",
    "Brand", "BrandQuery", "Case", "CaseMention", "Channel", "Community", "DeadLetter",
    "DuplicateCluster", "Incident", "Location", "Mention", "MentionBrand", "MentionVersion",
    "Place",
    "Refutation", "SandboxMessage", "SentimentCorrection", "Source", "Spike", "Template", "User",
]
