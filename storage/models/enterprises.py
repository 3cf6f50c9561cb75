from tortoise import fields
from tortoise.models import Model

from .cases import GENESIS


class Enterprise(Model):
    """An enterprise served one-to-one by a project service manager (项目服务经理)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128)
    credit_code = fields.CharField(max_length=18, unique=True)  # GB 32100, check digit verified
    manager = fields.ForeignKeyField("models.StaffUser", related_name="enterprises", null=True)
    trail_count = fields.IntField(default=0, db_default=0)  # the head of its hash-chained trail (EnterpriseEvent)
    trail_head = fields.CharField(max_length=64, default=GENESIS, db_default=GENESIS)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enterprise"


class EnterpriseContact(Model):
    """A WeChat user who acts for an enterprise.

    Bound by scanning the enterprise code the manager hands out (verified), or by claiming the
    credit code in the mini-program (verified once the manager confirms it).
    """

    id = fields.IntField(primary_key=True)
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="contacts")
    follower = fields.ForeignKeyField("models.Follower", related_name="enterprise_contacts", null=True)
    citizen = fields.ForeignKeyField("models.Citizen", related_name="enterprise_contacts", null=True)
    bound_via = fields.CharField(max_length=16)  # scene | miniprogram
    verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enterprise_contact"
        unique_together = (("enterprise", "follower"),)  # one person, one contact (NULLs do not clash)


class ManagerAssignment(Model):
    """Who served an enterprise or a project from when: every (re)assignment is kept."""

    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=16)  # enterprise | project
    subject_id = fields.IntField()
    manager = fields.ForeignKeyField("models.StaffUser", related_name="assignments", null=True)
    assigned_by = fields.CharField(max_length=80)
    note = fields.TextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "manager_assignment"
        indexes = (("subject", "subject_id"),)


class EnterpriseEvent(Model):
    """Append-only trail of what was done for an enterprise and by whom: registered, a contact
    bound (by a scan or a claim), a contact confirmed, two records of one person merged, a credit
    flag set or cleared. Hash-chained like a case's trail."""

    id = fields.IntField(primary_key=True)
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="events")
    seq = fields.IntField(default=0, db_default=0)  # rows that exist when a column is added need a value
    actor = fields.CharField(max_length=80)  # staff:<username>, follower:<id>, citizen:<id>, system
    action = fields.CharField(max_length=32)
    note = fields.TextField(default="")
    at = fields.DatetimeField(auto_now_add=True)
    prev_hash = fields.CharField(max_length=64, default="", db_default="")
    hash = fields.CharField(max_length=64, default="", db_default="")

    class Meta:
        table = "enterprise_event"
        unique_together = (("enterprise", "seq"),)
