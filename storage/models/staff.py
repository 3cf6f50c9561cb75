from tortoise import fields
from tortoise.models import Model


class StaffUser(Model):
    """A back-office account: window clerk, department reviewer, supervisor, manager or admin."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64, default="")
    role = fields.CharField(max_length=16)
    department = fields.CharField(max_length=64, null=True)
    carrier = fields.CharField(max_length=32, null=True)
    password_hash = fields.CharField(max_length=255)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_user"
