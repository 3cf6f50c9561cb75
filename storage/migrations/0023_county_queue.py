from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# The whole county's open tasks (a supervisor's queue, no department) a page at a time, read like
# a department's: one run per open state from an index in due order, merged. Without it a page
# walked the due_on index past every closed task (0.7 s a page on 140,000 seeded cases).


class Migration(migrations.Migration):
    dependencies = [('models', '0022_console_queues')]

    initial = False

    operations = [
        ops.AddIndex(model_name='ReviewTask',
                     index=Index(fields=('state', 'due_on', 'id'), name='task_county_queue')),
    ]
