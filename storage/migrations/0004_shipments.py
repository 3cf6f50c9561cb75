from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_materials_and_ratings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.CASCADE)),
                ('carrier', fields.CharField(max_length=16)),
                ('tracking_number', fields.CharField(db_index=True, max_length=32)),
                ('state', fields.CharField(db_index=True, max_length=20)),
                ('version', fields.IntField(default=0)),
                ('token_nonce', fields.CharField(unique=True, max_length=32)),
                ('pickup_code', fields.CharField(max_length=6)),
                ('code_attempts', fields.IntField(default=0)),
                ('recipient', fields.CharField(max_length=64)),
                ('phone', fields.CharField(max_length=20)),
                ('address', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('pieces', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.CharField(max_length=80)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shipment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A postal delivery of a case results, in one or more pieces under one tracking number.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShipmentScan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.ForeignKeyField('models.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='scans', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('action', fields.CharField(max_length=20)),
                ('from_state', fields.CharField(max_length=20)),
                ('to_state', fields.CharField(max_length=20)),
                ('actor', fields.CharField(max_length=80)),
                ('note', fields.TextField(default='', unique=False)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shipment_scan', 'app': 'models', 'unique_together': (('shipment', 'seq'),), 'pk_attr': 'id', 'table_description': 'One hand-over of a shipment: who scanned, when, where, and what it became.'},
            bases=['Model'],
        ),
    ]
