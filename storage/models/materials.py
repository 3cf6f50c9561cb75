from tortoise import fields
from tortoise.models import Model


class MaterialFile(Model):
    """A document a citizen uploaded: once a window has accepted it, it is verified and reusable."""

    id = fields.IntField(primary_key=True)
    citizen = fields.ForeignKeyField("models.Citizen", related_name="files")
    material = fields.CharField(max_length=64, db_index=True)
    object_key = fields.CharField(max_length=255, unique=True)
    filename = fields.CharField(max_length=255, default="")
    content_type = fields.CharField(max_length=64)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    verified = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # An issued certificate (电子证照) standing in for a material: the review task that issued it, so
    # staff see where it came from; its object is the certificate itself, never a copy. A plain id
    # (tasks are never deleted), as SQLite cannot drop a foreign-key column again.
    certificate_task_id = fields.IntField(null=True, unique=True)

    class Meta:
        table = "material_file"


class AttachedMaterial(Model):
    """Which file stands for which material in a case (one per material)."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="materials")
    material = fields.CharField(max_length=64)
    file = fields.ForeignKeyField("models.MaterialFile", related_name="attachments")
    attached_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "attached_material"
        unique_together = (("application", "material"),)


class Evaluation(Model):
    """The one rating of a case by its applicant (好差评, GB/T 39734: one case, one rating)."""

    id = fields.IntField(primary_key=True)
    application = fields.OneToOneField("models.Application", related_name="evaluation")
    score = fields.SmallIntField()
    comment = fields.TextField(default="")
    follow_up_due_on = fields.DateField(null=True)  # bad ratings: follow-up within 15 working days
    follow_up_closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "evaluation"
