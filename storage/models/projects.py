from tortoise import fields
from tortoise.models import Model

from .cases import GENESIS


class Project(Model):
    """A project of an enterprise (省/市/县重点项目) with its service manager (项目服务经理)."""

    id = fields.IntField(primary_key=True)
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="projects")
    name = fields.CharField(max_length=128)
    level = fields.CharField(max_length=16)  # provincial | city | county
    stage = fields.CharField(max_length=16)  # see onething.domain.projects.STAGES
    # the manager now: every (re)assignment is kept in ManagerAssignment(subject="project")
    manager = fields.ForeignKeyField("models.StaffUser", related_name="projects", null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "project"


class Issue(Model):
    """A problem blocking a project (问题台账): worked, escalated level by level, closed with a resolution."""

    id = fields.IntField(primary_key=True)
    project = fields.ForeignKeyField("models.Project", related_name="issues")
    title = fields.CharField(max_length=200)
    detail = fields.TextField(default="")
    department = fields.CharField(max_length=64, db_index=True)  # the department that must act
    requested_by = fields.DateField()  # the date the issue is wanted solved by
    state = fields.CharField(max_length=16, db_index=True)  # open | in_progress | closed | reopened
    level = fields.IntField(default=0)  # index in the escalation ladder
    level_code = fields.CharField(max_length=32)
    due_on = fields.DateField(db_index=True)  # the current level deadline
    resolution = fields.TextField(default="")
    reopened = fields.IntField(default=0)
    version = fields.IntField(default=0)  # every change checks and bumps it: one escalation per level
    trail_count = fields.IntField(default=0, db_default=0)  # the head of its hash-chained trail (IssueEvent)
    trail_head = fields.CharField(max_length=64, default=GENESIS, db_default=GENESIS)
    opened_by = fields.CharField(max_length=80)
    opened_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "issue"


class IssueEvent(Model):
    """Append-only trail of an issue: who did what when, and the state, level and deadline after it.
    Hash-chained like a case's trail."""

    id = fields.IntField(primary_key=True)
    issue = fields.ForeignKeyField("models.Issue", related_name="events")
    seq = fields.IntField(default=0, db_default=0)  # rows that exist when a column is added need a value
    actor = fields.CharField(max_length=80)
    role = fields.CharField(max_length=16)
    action = fields.CharField(max_length=16)  # open | start | escalate | close | reopen
    from_state = fields.CharField(max_length=16)
    to_state = fields.CharField(max_length=16)
    level = fields.IntField()
    due_on = fields.DateField()
    note = fields.TextField(default="")
    at = fields.DatetimeField(db_index=True)
    prev_hash = fields.CharField(max_length=64, default="", db_default="")
    hash = fields.CharField(max_length=64, default="", db_default="")

    class Meta:
        table = "issue_event"
        unique_together = (("issue", "seq"),)


class StaffNotice(Model):
    """A message in the back-office inbox, for one staff member or shared by everyone of a role."""

    id = fields.IntField(primary_key=True)
    staff = fields.ForeignKeyField("models.StaffUser", related_name="notices", null=True)
    role = fields.CharField(max_length=16, null=True)  # a shared inbox when staff is empty
    kind = fields.CharField(max_length=32)
    text = fields.TextField()
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)
    read_by = fields.CharField(max_length=80, null=True)

    class Meta:
        table = "staff_notice"
