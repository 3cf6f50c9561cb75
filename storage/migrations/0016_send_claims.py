from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Rows a sender held before claims had owners were "sending" whether or not their WeChat call had
# started: they keep the old reading (it may have arrived) and end "unknown" as they would have.


async def mark_old_claims_attempting(apps, schema_editor):
    conn = schema_editor.client
    for model in ("Notification", "MessageDelivery"):
        await apps.get_model("models", model).filter(state="sending").using_db(conn).update(state="attempting")


class Migration(migrations.Migration):
    dependencies = [('models', '0015_sealed_forms')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MessageDelivery',
            name='claimed_by',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Notification',
            name='claimed_by',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.RunPython(mark_old_claims_attempting, ops.RunPython.noop),
    ]
