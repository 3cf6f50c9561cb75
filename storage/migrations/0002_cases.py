from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseCounter',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('last_seq', fields.IntField(default=0)),
            ],
            options={'table': 'case_counter', 'app': 'models', 'pk_attr': 'day', 'table_description': 'The last case number given out on a day, so numbers are sequential per day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Citizen',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, max_length=64)),
                ('real_name', fields.CharField(null=True, max_length=64)),
                ('id_number_cipher', fields.TextField(null=True, unique=False)),
                ('id_number_hint', fields.CharField(null=True, max_length=32)),
                ('phone', fields.CharField(null=True, max_length=20)),
                ('blacklisted', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'citizen', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A WeChat user applying for things, for themself or for their enterprise.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Application',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('thing', fields.CharField(db_index=True, max_length=64)),
                ('applicant', fields.ForeignKeyField('models.Citizen', source_field='applicant_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('enterprise_code', fields.CharField(null=True, db_index=True, max_length=18)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('version', fields.IntField(default=0)),
                ('form', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('problems', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('owed', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('intake_due_on', fields.DateField(null=True)),
                ('suspended_since', fields.DateField(null=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'application', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A case (办件): the application of one applicant for one thing.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('actor', fields.CharField(max_length=80)),
                ('role', fields.CharField(max_length=16)),
                ('action', fields.CharField(max_length=32)),
                ('from_state', fields.CharField(max_length=16)),
                ('to_state', fields.CharField(max_length=16)),
                ('item', fields.CharField(null=True, max_length=64)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('prev_hash', fields.CharField(max_length=64)),
                ('hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'unique_together': (('application', 'seq'),), 'pk_attr': 'id', 'table_description': 'Append-only trail: each event carries the hash of the one before it in the same case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The outbox: written with the change it reports, sent later by the worker.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReviewTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('item', fields.CharField(max_length=64)),
                ('department', fields.CharField(db_index=True, max_length=64)),
                ('stage', fields.CharField(max_length=64)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('limit_days', fields.IntField()),
                ('started_on', fields.DateField(null=True)),
                ('due_on', fields.DateField(null=True, db_index=True)),
                ('paused_days', fields.IntField(default=0)),
                ('pause_kind', fields.CharField(null=True, max_length=16)),
                ('paused_since', fields.DateField(null=True)),
                ('warned', fields.BooleanField(default=False)),
                ('overdue', fields.BooleanField(default=False)),
                ('result_number', fields.CharField(default='', max_length=64)),
                ('certificate_key', fields.CharField(null=True, max_length=255)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'review_task', 'app': 'models', 'unique_together': (('application', 'item'),), 'pk_attr': 'id', 'table_description': 'The review of one item by its department, with its own clock.'},
            bases=['Model'],
        ),
    ]
