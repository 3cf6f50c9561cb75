from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# These columns were added with db_index=True, which AddField does not turn into an index: the
# lookups by them (an enterprise's contacts, a credit flag's digest, WeChat's delivery receipts,
# the supervisors' extension queue) scanned their tables.


class Migration(migrations.Migration):
    dependencies = [('models', '0016_send_claims')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Citizen', index=Index(fields=('enterprise_code',), name='citizen_enterprise_code')),
        ops.AddIndex(model_name='Citizen', index=Index(fields=('id_number_digest',), name='citizen_id_number_digest')),
        ops.AddIndex(model_name='MessageDelivery', index=Index(fields=('wechat_msgid',), name='delivery_wechat_msgid')),
        ops.AddIndex(model_name='Notification', index=Index(fields=('wechat_msgid',), name='notification_wechat_msgid')),
        ops.AddIndex(model_name='ReviewTask', index=Index(fields=('extension_state',), name='task_extension_state')),
    ]
