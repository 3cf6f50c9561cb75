from tortoise import fields
from tortoise.models import Model


class CreditFlag(Model):
    """A credit-blacklist (失信) flag on a person or an enterprise: whether it stands now, and why.

    A person is known by the keyed digest of their ID number, never the number itself, so a flag
    may stand before they have an account and applies as soon as they give that number.
    Every set and clear is kept in ``CreditFlagEntry``.
    """

    id = fields.IntField(primary_key=True)
    subject = fields.CharField(max_length=16)  # citizen | enterprise
    key = fields.CharField(max_length=64)  # citizen: ID-number digest; enterprise: the credit code
    hint = fields.CharField(max_length=32)  # for staff: the masked ID number, or the credit code
    active = fields.BooleanField(default=True, db_index=True)
    reason = fields.TextField(default="")
    document = fields.CharField(max_length=128, default="")  # the source decision's number (文书号)
    updated_by = fields.CharField(max_length=80)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "credit_flag"
        unique_together = (("subject", "key"),)


class CreditFlagEntry(Model):
    """Append-only history of a credit flag: who set or cleared it, when, why, on which document."""

    id = fields.IntField(primary_key=True)
    flag = fields.ForeignKeyField("models.CreditFlag", related_name="entries")
    action = fields.CharField(max_length=16)  # set | clear
    actor = fields.CharField(max_length=80)
    role = fields.CharField(max_length=16)
    reason = fields.TextField()
    document = fields.CharField(max_length=128)
    at = fields.DatetimeField()

    class Meta:
        table = "credit_flag_entry"
