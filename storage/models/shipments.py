from tortoise import fields
from tortoise.models import Model


class Shipment(Model):
    """A postal delivery of a case results, in one or more pieces under one tracking number."""

    id = fields.IntField(primary_key=True)
    application = fields.ForeignKeyField("models.Application", related_name="shipments")
    carrier = fields.CharField(max_length=16)
    tracking_number = fields.CharField(max_length=32, db_index=True)
    state = fields.CharField(max_length=20, db_index=True)
    version = fields.IntField(default=0)  # optimistic lock: two scans at once cannot both record
    # The QR token is rebuilt from this nonce and the server secret: a database copy alone forges nothing.
    token_nonce = fields.CharField(max_length=32, unique=True)
    pickup_code = fields.CharField(max_length=6)
    code_attempts = fields.IntField(default=0)
    recipient = fields.CharField(max_length=64)
    phone = fields.CharField(max_length=20)
    address = fields.JSONField(default=dict)
    pieces = fields.JSONField(default=list)
    created_by = fields.CharField(max_length=80)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "shipment"


class ShipmentScan(Model):
    """One hand-over of a shipment: who scanned, when, where, and what it became."""

    id = fields.IntField(primary_key=True)
    shipment = fields.ForeignKeyField("models.Shipment", related_name="scans")
    seq = fields.IntField()
    action = fields.CharField(max_length=20)
    from_state = fields.CharField(max_length=20)
    to_state = fields.CharField(max_length=20)
    actor = fields.CharField(max_length=80)  # courier:USERNAME, or carrier:CODE for a tracking update
    note = fields.TextField(default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "shipment_scan"
        unique_together = (("shipment", "seq"),)
