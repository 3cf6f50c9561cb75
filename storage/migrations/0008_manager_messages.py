from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0007_issue_ledger')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Broadcast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('author', fields.CharField(max_length=80)),
                ('text', fields.TextField(unique=False)),
                ('enterprises', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'broadcast', 'app': 'models', 'pk_attr': 'id', 'table_description': "One notice sent by a manager to many enterprises at once, sent at WeChat's pace."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ManagerMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('direction', fields.CharField(max_length=4)),
                ('author', fields.CharField(max_length=80)),
                ('contact', fields.ForeignKeyField('models.EnterpriseContact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('text', fields.TextField(default='', unique=False)),
                ('object_key', fields.CharField(null=True, max_length=255)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('media_id', fields.CharField(null=True, max_length=128)),
                ('broadcast', fields.ForeignKeyField('models.Broadcast', source_field='broadcast_id', null=True, db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('seen_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'manager_message', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One message of the thread between an enterprise and its service manager, either way.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MessageDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message', fields.ForeignKeyField('models.ManagerMessage', source_field='message_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.EnterpriseContact', source_field='contact_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='pending', db_index=True, max_length=16)),
                ('channel', fields.CharField(null=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.TextField(default='', unique=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'message_delivery', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A manager message on its way to one contact: sent, invited (a template asked them to reply'},
            bases=['Model'],
        ),
        ops.AddConstraint(
            model_name='EnterpriseContact',
            constraint=UniqueConstraint(fields=('enterprise', 'follower'), name=None),
        ),
    ]
