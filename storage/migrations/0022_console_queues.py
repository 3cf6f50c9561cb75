from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# The console's queues, a page at a time: the window's (submitted cases by intake deadline) and a
# department's (its open tasks by due date) read the first rows of an index instead of sorting
# every row of the state (10,000 cases in bench/console_queues.py).


class Migration(migrations.Migration):
    dependencies = [('models', '0021_published_rankings')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Application',
                     index=Index(fields=('state', 'intake_due_on', 'id'), name='application_intake_queue')),
        ops.AddIndex(model_name='ReviewTask',
                     index=Index(fields=('department', 'state', 'due_on', 'id'), name='task_department_queue')),
    ]
