from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_manager_messages')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MessageDelivery',
            name='wechat_msgid',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
        ops.AddField(
            model_name='Notification',
            name='wechat_msgid',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
    ]
