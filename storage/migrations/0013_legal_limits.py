from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_outcomes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Application',
            name='expected_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='legal_days',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='legal_due_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='legal_overdue',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='extension_state',
            field=fields.CharField(null=True, db_index=True, max_length=16),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='extension_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='extension_note',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='ReviewTask',
            name='extension_days',
            field=fields.IntField(default=0),
        ),
    ]
