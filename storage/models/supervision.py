from tortoise import fields
from tortoise.models import Model


class SupervisionCount(Model):
    """The supervision figures kept as they happen (onething.domain.figures.FACTS): how many of a
    fact on a Shanghai day, per department, intake window, thing and item. Written in the transaction
    of the change counted, so a figure is a sum over days, never a scan of the cases."""

    id = fields.IntField(primary_key=True)
    day = fields.DateField()
    department = fields.CharField(max_length=64)
    window = fields.CharField(max_length=80, default="")  # the staff account that decided on intake
    thing = fields.CharField(max_length=64)
    item = fields.CharField(max_length=64, default="")  # "" for a fact about the whole case
    fact = fields.CharField(max_length=24)
    bucket = fields.IntField(default=0)  # working days taken, a limit or a score; else 0
    n = fields.IntField(default=0)

    class Meta:
        table = "supervision_count"
        unique_together = (("day", "department", "window", "thing", "item", "fact", "bucket"),)


class SupervisionFact(Model):
    """One counted fact with its case: what a figure drills down to (the cases behind it)."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="supervision_facts")
    day = fields.DateField()
    department = fields.CharField(max_length=64)
    window = fields.CharField(max_length=80, default="")
    thing = fields.CharField(max_length=64)
    item = fields.CharField(max_length=64, default="")
    fact = fields.CharField(max_length=24)
    bucket = fields.IntField(default=0)

    class Meta:
        table = "supervision_fact"
        indexes = (("fact", "day"),)
