from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import UniqueConstraint
import hashlib
import json
from datetime import date, datetime, timezone

# Existing trails are chained here, so that from now on every trail checks against its head.
# Cases were already chained: each gets the head its present trail ends at. Enterprise and issue
# events made before this migration are chained in the order they were written (by id), with
# the same hash as new events (frozen here: the migration must not change with the code).
GENESIS = "0" * 64


def _stamp(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.isoformat(timespec="microseconds")
    return value.isoformat() if isinstance(value, date) else value


def _hash(seq, content, prev_hash):
    payload = json.dumps([seq, *content, prev_hash], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


async def _chain(owner, event, owner_field, content, conn):
    for owner_id in await owner.all().using_db(conn).values_list("id", flat=True):
        previous, seq = GENESIS, 0
        for row in await event.filter(**{owner_field: owner_id}).using_db(conn).order_by("id"):
            seq += 1
            digest = _hash(seq, content(row), previous)
            await event.filter(id=row.id).using_db(conn).update(seq=seq, prev_hash=previous, hash=digest)
            previous = digest
        await owner.filter(id=owner_id).using_db(conn).update(trail_count=seq, trail_head=previous)


async def chain_existing_trails(apps, schema_editor):
    conn = schema_editor.client
    application, audit_event = apps.get_model("models", "Application"), apps.get_model("models", "AuditEvent")
    for owner_id in await application.all().using_db(conn).values_list("id", flat=True):
        last = await audit_event.filter(application_id=owner_id).using_db(conn).order_by("-seq").first()
        if last is not None:
            await application.filter(id=owner_id).using_db(conn).update(trail_count=last.seq, trail_head=last.hash)
    await _chain(apps.get_model("models", "Enterprise"), apps.get_model("models", "EnterpriseEvent"),
                 "enterprise_id", lambda e: (e.actor, e.action, e.note, _stamp(e.at)), conn)
    await _chain(apps.get_model("models", "Issue"), apps.get_model("models", "IssueEvent"), "issue_id",
                 lambda e: (e.actor, e.role, e.action, e.from_state, e.to_state, e.level, _stamp(e.due_on), e.note,
                            _stamp(e.at)), conn)


class Migration(migrations.Migration):
    dependencies = [('models', '0013_legal_limits')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CreditFlag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.CharField(max_length=16)),
                ('key', fields.CharField(max_length=64)),
                ('hint', fields.CharField(max_length=32)),
                ('active', fields.BooleanField(default=True, db_index=True)),
                ('reason', fields.TextField(default='', unique=False)),
                ('document', fields.CharField(default='', max_length=128)),
                ('updated_by', fields.CharField(max_length=80)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'credit_flag', 'app': 'models', 'unique_together': (('subject', 'key'),), 'pk_attr': 'id', 'table_description': 'A credit-blacklist (失信) flag on a person or an enterprise: whether it stands now, and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CreditFlagEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('flag', fields.ForeignKeyField('models.CreditFlag', source_field='flag_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=16)),
                ('actor', fields.CharField(max_length=80)),
                ('role', fields.CharField(max_length=16)),
                ('reason', fields.TextField(unique=False)),
                ('document', fields.CharField(max_length=128)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'credit_flag_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only history of a credit flag: who set or cleared it, when, why, on which document.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Application',
            name='trail_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Application',
            name='trail_head',
            field=fields.CharField(default=GENESIS, db_default=GENESIS, max_length=64),
        ),
        ops.AddField(
            model_name='Citizen',
            name='id_number_digest',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.RemoveField(model_name='Citizen', name='blacklisted'),
        ops.AddField(
            model_name='Enterprise',
            name='trail_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Enterprise',
            name='trail_head',
            field=fields.CharField(default=GENESIS, db_default=GENESIS, max_length=64),
        ),
        ops.AddField(
            model_name='EnterpriseEvent',
            name='hash',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='EnterpriseEvent',
            name='prev_hash',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='EnterpriseEvent',
            name='seq',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Issue',
            name='trail_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Issue',
            name='trail_head',
            field=fields.CharField(default=GENESIS, db_default=GENESIS, max_length=64),
        ),
        ops.AddField(
            model_name='IssueEvent',
            name='hash',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='IssueEvent',
            name='prev_hash',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='IssueEvent',
            name='seq',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(chain_existing_trails, ops.RunPython.noop),
        ops.AddConstraint(
            model_name='EnterpriseEvent',
            constraint=UniqueConstraint(fields=('enterprise', 'seq'), name=None),
        ),
        ops.AddConstraint(
            model_name='IssueEvent',
            constraint=UniqueConstraint(fields=('issue', 'seq'), name=None),
        ),
    ]
