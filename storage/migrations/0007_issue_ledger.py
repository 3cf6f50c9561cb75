from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_enterprises')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Project',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enterprise', fields.ForeignKeyField('models.Enterprise', source_field='enterprise_id', db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('level', fields.CharField(max_length=16)),
                ('stage', fields.CharField(max_length=16)),
                ('manager', fields.ForeignKeyField('models.StaffUser', source_field='manager_id', null=True, db_constraint=True, to_field='id', related_name='projects', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'project', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A project of an enterprise (省/市/县重点项目) with its service manager (项目服务经理).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Issue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='issues', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('detail', fields.TextField(default='', unique=False)),
                ('department', fields.CharField(db_index=True, max_length=64)),
                ('requested_by', fields.DateField()),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('level', fields.IntField(default=0)),
                ('level_code', fields.CharField(max_length=32)),
                ('due_on', fields.DateField(db_index=True)),
                ('resolution', fields.TextField(default='', unique=False)),
                ('reopened', fields.IntField(default=0)),
                ('version', fields.IntField(default=0)),
                ('opened_by', fields.CharField(max_length=80)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'issue', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A problem blocking a project (问题台账): worked, escalated level by level, closed with a resolution.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IssueEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issue', fields.ForeignKeyField('models.Issue', source_field='issue_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.CharField(max_length=80)),
                ('role', fields.CharField(max_length=16)),
                ('action', fields.CharField(max_length=16)),
                ('from_state', fields.CharField(max_length=16)),
                ('to_state', fields.CharField(max_length=16)),
                ('level', fields.IntField()),
                ('due_on', fields.DateField()),
                ('note', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'issue_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only trail of an issue: who did what when, and the state, level and deadline after it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffUser', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(null=True, max_length=16)),
                ('kind', fields.CharField(max_length=32)),
                ('text', fields.TextField(unique=False)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('read_by', fields.CharField(null=True, max_length=80)),
            ],
            options={'table': 'staff_notice', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A message in the back-office inbox, for one staff member or shared by everyone of a role.'},
            bases=['Model'],
        ),
    ]
