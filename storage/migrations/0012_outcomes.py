from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_calendar_years')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReviewTask',
            name='problems',
            field=fields.JSONField(default=list),
        ),
    ]
