from collections import Counter
from datetime import timezone
from zoneinfo import ZoneInfo

from tortoise import migrations
from tortoise.migrations import operations as ops

# Items rejected on review (不予许可) are counted as the supervision fact "rejected" from now on:
# the efficiency ranking reads the refusals that stood. The items rejected before are counted
# here as the recount counts them (onething.services.recount): on the day of the rejection, under
# the item's department and the case's intake window.
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def count_past_rejections(apps, schema_editor):
    conn = schema_editor.client
    event, task = apps.get_model("models", "AuditEvent"), apps.get_model("models", "ReviewTask")
    application, fact = apps.get_model("models", "Application"), apps.get_model("models", "SupervisionFact")
    count = apps.get_model("models", "SupervisionCount")
    counted = {(f["application_id"], f["item"]) for f in await fact.filter(fact="rejected").using_db(conn).values(
        "application_id", "item")}
    totals: Counter = Counter()
    for e in await event.filter(action="reject_item").using_db(conn).order_by("id"):
        if (e.application_id, e.item or "") in counted:
            continue
        case = await application.filter(id=e.application_id).using_db(conn).first()
        rejected = await task.filter(application_id=e.application_id, item=e.item).using_db(conn).first()
        if case is None or rejected is None:
            continue
        key = {"day": e.at.astimezone(timezone.utc).astimezone(SHANGHAI).date(), "department": rejected.department,
               "window": case.window or "", "thing": case.thing, "item": e.item or "", "fact": "rejected", "bucket": 0}
        await fact.create(application_id=e.application_id, **key, using_db=conn)
        totals[tuple(sorted(key.items()))] += 1
    for key, n in totals.items():
        where = dict(key)
        row = await count.filter(**where).using_db(conn).first()
        if row is None:
            await count.create(**where, n=n, using_db=conn)
        else:
            await count.filter(id=row.id).using_db(conn).update(n=row.n + n)


async def forget_rejections(apps, schema_editor):
    conn = schema_editor.client
    await apps.get_model("models", "SupervisionFact").filter(fact="rejected").using_db(conn).delete()
    await apps.get_model("models", "SupervisionCount").filter(fact="rejected").using_db(conn).delete()


class Migration(migrations.Migration):
    dependencies = [('models', '0023_county_queue')]

    initial = False

    operations = [ops.RunPython(count_past_rejections, forget_rejections)]
