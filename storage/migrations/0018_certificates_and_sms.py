from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# An issued certificate standing in for a material is a kept file that names its issuing task; an
# SMS notification keeps the provider's serial number, which its delivery receipt names; the
# identity's phone, which SMS now uses, is kept encrypted (startup moves the plain ones over).


class Migration(migrations.Migration):
    dependencies = [('models', '0017_missing_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MaterialFile',
            name='certificate_task_id',
            field=fields.IntField(null=True, unique=True),
        ),
        ops.AddField(
            model_name='Notification',
            name='sms_serial',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddIndex(model_name='Notification', index=Index(fields=('sms_serial',), name='notification_sms_serial')),
        ops.AddField(model_name='Citizen', name='phone_cipher', field=fields.TextField(null=True)),
        ops.AddField(model_name='Citizen', name='phone_hint', field=fields.CharField(null=True, max_length=20)),
    ]
