from tortoise import fields
from tortoise.models import Model


class ManagerMessage(Model):
    """One message of the thread between an enterprise and its service manager, either way."""

    id = fields.IntField(primary_key=True)
    enterprise = fields.ForeignKeyField("models.Enterprise", related_name="messages")
    direction = fields.CharField(max_length=4)  # out: from the manager, in: from a contact
    author = fields.CharField(max_length=80)  # staff:<username> or the contact
    contact = fields.ForeignKeyField("models.EnterpriseContact", related_name="messages", null=True)
    kind = fields.CharField(max_length=16)  # text | notice | status | document | image | file
    text = fields.TextField(default="")
    object_key = fields.CharField(max_length=255, null=True)  # documents, images and files
    filename = fields.CharField(max_length=255, default="")
    media_id = fields.CharField(max_length=128, null=True)  # WeChat media still to fetch
    broadcast = fields.ForeignKeyField("models.Broadcast", related_name="messages", null=True)
    created_at = fields.DatetimeField()
    seen_at = fields.DatetimeField(null=True)  # a contact message the manager has opened

    class Meta:
        table = "manager_message"


class MessageDelivery(Model):
    """A manager message on its way to one contact: pending, sending and attempting as a
    notification is (services.sending), then sent, invited (a template asked them to reply first,
    outside the 48-hour window), failed (why), unknown (a sender died mid-call), read (they
    replied after it)."""

    id = fields.IntField(primary_key=True)
    message = fields.ForeignKeyField("models.ManagerMessage", related_name="deliveries")
    contact = fields.ForeignKeyField("models.EnterpriseContact", related_name="deliveries")
    state = fields.CharField(max_length=16, default="pending", db_index=True)
    channel = fields.CharField(max_length=16, null=True)
    wechat_msgid = fields.CharField(max_length=32, null=True, db_index=True)  # a template message: its receipt
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    claimed_at = fields.DatetimeField(null=True)  # renewed while its sender lives
    claimed_by = fields.CharField(max_length=32, null=True)  # the send run that holds it
    error = fields.TextField(default="")
    sent_at = fields.DatetimeField(null=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message_delivery"


class Broadcast(Model):
    """One notice sent by a manager to many enterprises at once, sent at WeChat's pace."""

    id = fields.IntField(primary_key=True)
    author = fields.CharField(max_length=80)
    text = fields.TextField()
    enterprises = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "broadcast"
