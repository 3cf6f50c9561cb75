from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_template_receipts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EnterpriseEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=80)),
                ('action', fields.CharField(max_length=32)),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'enterprise_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only trail of what was done for an enterprise and by whom: registered, a contact'},
            bases=['Model'],
        ),
    ]
