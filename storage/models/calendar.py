from tortoise import fields
from tortoise.models import Model


class CalendarYear(Model):
    """A year's official holiday schedule as imported from the State Council's notice.

    Stored in the database so that every process uses it without a redeploy; the YAML files
    shipped in ``onething/data/calendar/`` are the seed a row overrides.
    """

    year = fields.IntField(primary_key=True, generated=False)
    holidays = fields.JSONField()  # ["2027-01-01", ...]
    workdays = fields.JSONField()
    source = fields.TextField(default="")  # the notice or YAML as imported, for the record
    imported_by = fields.CharField(max_length=80, default="")
    imported_at = fields.DatetimeField()

    class Meta:
        table = "calendar_year"
