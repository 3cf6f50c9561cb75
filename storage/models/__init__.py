"""ORM models: storage adapters for the domain's records (singular names)."""

from .calendar import CalendarYear
from .cases import Application, AuditEvent, CaseCounter, Citizen, Notification, ReviewTask
from .credit import CreditFlag, CreditFlagEntry
from .enterprises import Enterprise, EnterpriseContact, EnterpriseEvent, ManagerAssignment
from .messages import Broadcast, ManagerMessage, MessageDelivery
from .materials import AttachedMaterial, Evaluation, MaterialFile
from .projects import Issue, IssueEvent, Project, StaffNotice
from .shipments import Shipment, ShipmentScan
from .staff import StaffUser
from .supervision import SupervisionCount, SupervisionFact
from .supervision_rankings import PublishedRanking
from .wechat import Follower, FollowerLink, SubscribeConsent

__all__ = [
    "Application", "AttachedMaterial", "AuditEvent", "Broadcast", "CalendarYear", "CaseCounter", "Citizen",
    "CreditFlag", "CreditFlagEntry", "Enterprise", "EnterpriseContact", "EnterpriseEvent", "Evaluation", "Follower",
    "FollowerLink", "Issue", "IssueEvent", "ManagerAssignment",
    "ManagerMessage", "MaterialFile", "MessageDelivery", "Notification", "Project", "PublishedRanking", "ReviewTask",
    "Shipment", "ShipmentScan", "StaffNotice", "StaffUser", "SubscribeConsent",
    "SupervisionCount", "SupervisionFact",
]
