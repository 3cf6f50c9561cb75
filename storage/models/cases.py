from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

GENESIS = "0" * 64  # the hash before a trail's first event (onething.domain.audit.GENESIS)


class Citizen(Model):
    """A WeChat user applying for things, for themself or for their enterprise."""

    id = fields.IntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)  # in the mini-program
    unionid = fields.CharField(max_length=64, null=True, unique=True)  # the same person across WeChat apps
    real_name = fields.CharField(max_length=64, null=True)
    id_number_cipher = fields.TextField(null=True)  # encrypted: a dump must not reveal ID numbers
    id_number_hint = fields.CharField(max_length=32, null=True)  # masked, for display
    # keyed digest of the ID number: finds a person (a credit flag, say) without decrypting anyone
    id_number_digest = fields.CharField(max_length=64, null=True, db_index=True)
    # Only until startup encrypts it (services.citizens.encrypt_phones): a phone is kept encrypted.
    phone = fields.CharField(max_length=20, null=True)
    phone_cipher = fields.TextField(null=True)  # the verified identity's mobile: the SMS channel's
    phone_hint = fields.CharField(max_length=20, null=True)  # masked, for display
    enterprise_code = fields.CharField(max_length=18, null=True, db_index=True)  # bound enterprise
    # Claiming a credit code is not proof of acting for it: other staff's cases of that enterprise
    # are shown only once the binding is confirmed (by a service manager or an enterprise QR scene).
    enterprise_verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "citizen"


class Application(Model):
    """A case (办件): the application of one applicant for one thing."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    thing = fields.CharField(max_length=64, db_index=True)
    applicant = fields.ForeignKeyField("models.Citizen", related_name="applications")
    enterprise_code = fields.CharField(max_length=18, null=True, db_index=True)
    state = fields.CharField(max_length=16, db_index=True)
    version = fields.IntField(default=0)  # optimistic lock: every save checks and bumps it
    # the audit trail's head, written with each event under the version lock: a trail whose last
    # events were deleted no longer ends where the head says
    trail_count = fields.IntField(default=0, db_default=0)
    trail_head = fields.CharField(max_length=64, default=GENESIS, db_default=GENESIS)
    form = fields.JSONField(default=dict)
    problems = fields.JSONField(default=list)
    owed = fields.JSONField(default=list)
    delivery = fields.JSONField(null=True)  # how results reach the applicant: post (with address) or pickup
    intake_due_on = fields.DateField(null=True)
    suspended_since = fields.DateField(null=True)
    # The critical path of what remains (onething.domain.schedule), stored at every save.
    expected_on = fields.DateField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Supervision: the worst grade of its items now (onething.domain.grades.Grade), the staff account
    # that decided on intake (the window its figures count under), and the first Shanghai day on
    # which a deadline rule may act: the sweep reads only the cases whose day has come.
    grade = fields.SmallIntField(default=0, db_default=0, db_index=True)
    window = fields.CharField(max_length=80, null=True)
    next_check_on = fields.DateField(null=True, db_index=True)

    class Meta:
        table = "application"
        # the console's intake queue, a page at a time (migration 0022)
        indexes = (Index(fields=("state", "intake_due_on", "id"), name="application_intake_queue"),)


class ReviewTask(Model):
    """The review of one item by its department, with its own clock."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="tasks")
    item = fields.CharField(max_length=64)
    department = fields.CharField(max_length=64, db_index=True)
    stage = fields.CharField(max_length=64)
    state = fields.CharField(max_length=16, db_index=True)
    limit_days = fields.IntField()
    started_on = fields.DateField(null=True)
    due_on = fields.DateField(null=True, db_index=True)
    paused_days = fields.IntField(default=0)
    pause_kind = fields.CharField(max_length=16, null=True)
    paused_since = fields.DateField(null=True)
    warned = fields.BooleanField(default=False)
    overdue = fields.BooleanField(default=False)
    result_number = fields.CharField(max_length=64, default="")
    # The legal limit (法定时限) beside the promised one (due_on), and its §42 extension.
    legal_days = fields.IntField(default=0)
    legal_due_on = fields.DateField(null=True)
    legal_overdue = fields.BooleanField(default=False)
    red_card = fields.BooleanField(default=False, db_default=False)  # yellow for too long (supervision.yaml)
    extension_state = fields.CharField(max_length=16, null=True, db_index=True)  # pending | approved | refused
    extension_reason = fields.TextField(default="")
    extension_note = fields.TextField(default="")
    extension_days = fields.IntField(default=0)
    certificate_key = fields.CharField(max_length=255, null=True)
    note = fields.TextField(default="")
    problems = fields.JSONField(default=list)  # 审查中补正: the complete list the reviewer returned it with

    class Meta:
        table = "review_task"
        unique_together = (("application", "item"),)
        # a department's queue in the console, a page at a time (migration 0022)
        indexes = (Index(fields=("department", "state", "due_on", "id"), name="task_department_queue"),
                   Index(fields=("state", "due_on", "id"), name="task_county_queue"))


class AuditEvent(Model):
    """Append-only trail: each event carries the hash of the one before it in the same case."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="events")
    seq = fields.IntField()
    actor = fields.CharField(max_length=80)
    role = fields.CharField(max_length=16)
    action = fields.CharField(max_length=32)
    from_state = fields.CharField(max_length=16)
    to_state = fields.CharField(max_length=16)
    item = fields.CharField(max_length=64, null=True)
    note = fields.TextField(default="")
    at = fields.DatetimeField()
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_event"
        unique_together = (("application", "seq"),)


class Notification(Model):
    """The outbox: written with the change it reports, sent later by the worker."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="notifications", null=True)
    citizen = fields.ForeignKeyField("models.Citizen", related_name="notifications", null=True)
    kind = fields.CharField(max_length=32)
    payload = fields.JSONField(default=dict)
    # pending -> sending (claimed) -> attempting (its WeChat call started) -> sent; or failed
    # (retries used up), undeliverable (no channel left), unknown (a sender died mid-call: not
    # resent, as it may have arrived), internal (staff only)
    state = fields.CharField(max_length=16, default="pending", db_index=True)
    channel = fields.CharField(max_length=16, null=True)  # the one it went out on
    wechat_msgid = fields.CharField(max_length=32, null=True, db_index=True)  # a template message: its receipt
    sms_serial = fields.CharField(max_length=64, null=True, db_index=True)  # an SMS: its provider receipt
    failed_channels = fields.JSONField(default=list)  # refused for good there: never tried again
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    claimed_at = fields.DatetimeField(null=True)  # renewed while its sender lives
    claimed_by = fields.CharField(max_length=32, null=True)  # the send run that holds it
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"


class CaseCounter(Model):
    """The last case number given out on a day, so numbers are sequential per day."""

    day = fields.DateField(primary_key=True)
    last_seq = fields.IntField(default=0)

    class Meta:
        table = "case_counter"
