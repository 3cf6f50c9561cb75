from tortoise import fields
from tortoise.models import Model


class PublishedRanking(Model):
    """A period's efficiency ranking (效能排行榜) as frozen once the period ended: never rewritten."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # week | month
    period = fields.CharField(max_length=8)  # 2026-11, 2026-W47
    scope = fields.CharField(max_length=16)  # department | window
    places = fields.JSONField()  # [{rank, change, code, name, total, dimensions, components}, ...]
    frozen_at = fields.DatetimeField()

    class Meta:
        table = "published_ranking"
        unique_together = (("kind", "period", "scope"),)
