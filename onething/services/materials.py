"""Documents: streamed uploads checked against what they claim to be, and the rules every way in
shares (presigned uploads and their confirm are in ``pending_uploads``, reuse from the wallet in ``wallet``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, AsyncIterable, Awaitable, Callable

from tortoise.transactions import in_transaction

from onething.domain.calendar import local_date
from onething.domain.case import Case, Event
from onething.domain.catalog import Catalog, Material
from onething.domain.files import ALLOWED_TYPES, Inspector
from onething.domain.refusals import Refused
from onething.domain.states import CORRECTION, DECIDED, State, TaskState
from onething.services import case_store
from onething.services.file_checks import TOO_MANY_PIXELS, UNREADABLE, Examiner, store_checked
from storage.models import Application, AttachedMaterial, Citizen, MaterialFile, ReviewTask
from storage.objects import ObjectStore

if TYPE_CHECKING:
    from onething.services.workflow import Workflow

MB = 1024 * 1024


class MaterialRefused(Refused):
    """A document refused: the error middleware answers it like every other refusal."""

    def __init__(self, code: str, message: str, status: int = 422):
        super().__init__(code, message, status=status)


def requirement(catalog: Catalog, row: Application, material: str) -> Material:
    if material not in catalog.things[row.thing].required_materials():
        raise MaterialRefused("unknown_material", "本事项不需要这项材料。", status=404)
    return catalog.materials[material]


async def check_editable(catalog: Catalog, row: Application, material: str) -> None:
    """Before submission or on correction; after acceptance only what is owed (容缺后补) or what a
    reviewer returned an item for (审查中补正)."""
    if row.state in (State.DRAFT, State.RETURNED):
        return
    if row.state in (State.IN_REVIEW, *DECIDED) and material in case_store.outstanding(row.owed):
        return
    if row.state == State.IN_REVIEW and material in await correctable_materials(catalog, row.id):
        return
    raise MaterialRefused("materials_locked", "办件已提交，当前不能修改材料。", status=409)


async def returned_items(application_id: int) -> list[str]:
    """The items a reviewer returned for correction, waiting on the applicant."""
    return list(await ReviewTask.filter(application_id=application_id, state=TaskState.PAUSED.value,
                                        pause_kind=CORRECTION).values_list("item", flat=True))


async def correctable_materials(catalog: Catalog, application_id: int) -> set[str]:
    return {req.material for code in await returned_items(application_id) for req in catalog.item(code)[1].materials}


def check_declared(spec: Material, content_type: str, size: int | None) -> None:
    if content_type not in ALLOWED_TYPES:
        raise MaterialRefused("unsupported_type", "只能上传 JPG、PNG 图片或 PDF 文件。", status=415)
    if size == 0:
        raise _empty()
    if size is not None and size < 0:
        raise MaterialRefused("invalid_size", "文件大小不正确，请重新选择文件。")
    if size is not None and size > spec.max_size_mb * MB:
        raise _too_large(spec)


def keys_for(row: Application, material: str) -> tuple[str, str]:
    """Where an upload link writes, and where the document is kept once confirmed: a key of its own
    that no link was ever issued for, so a link used again after confirming reaches nothing kept."""
    name = f"{row.id}/{material}/{uuid.uuid4().hex}"
    return f"uploads/{name}", f"materials/{name}"


async def direct_upload(store: ObjectStore, flow: "Workflow", row: Application, citizen: Citizen, material: str,
                        *, filename: str, content_type: str, size: int | None,
                        chunks: AsyncIterable[bytes]) -> MaterialFile:
    catalog = flow.catalog
    spec = requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    check_declared(spec, content_type, size)
    _, key = keys_for(row, material)
    inspector = await store_checked(
        store, key, chunks, content_type=content_type, max_size=spec.max_size_mb * MB, too_large=_too_large(spec),
        check=lambda examiner: problem_with(spec, content_type, examiner, declared_size=size))
    current = await AttachedMaterial.get_or_none(application_id=row.id, material=material).select_related("file")
    if current is not None and current.file.sha256 == inspector.sha256:
        await store.delete(key)  # the same file sent again: keep the one we have
        if owed_now(row, material):
            await flow.receive_owed(row.id, material, applicant(citizen))
        return current.file
    return await record(flow, row, citizen, material, key, filename, inspector)


async def missing_essentials(catalog: Catalog, row: Application) -> list[Material]:
    attached = set(await AttachedMaterial.filter(application_id=row.id).values_list("material", flat=True))
    needed = catalog.things[row.thing].required_materials()
    return [catalog.materials[m] for m, deferrable in needed.items() if not deferrable and m not in attached]


async def problem_with(spec: Material, declared: str, examiner: Examiner, *, declared_size: int | None):
    inspector = examiner.inspector
    if inspector.size == 0:
        return _empty()
    if declared_size is not None and inspector.size != declared_size:
        return MaterialRefused("size_mismatch", "上传的文件大小与申请时不一致，请重新上传。")
    if inspector.size > spec.max_size_mb * MB:
        return _too_large(spec)
    if inspector.sniffed_type != declared:
        return MaterialRefused("type_mismatch", "文件内容与所选类型不符，只能上传 JPG、PNG 图片或 PDF 文件。", 415)
    verdict = await examiner.problem()
    if verdict == TOO_MANY_PIXELS:
        return MaterialRefused("image_too_large", "图片像素过大，请缩小尺寸或降低分辨率后重新上传。")
    if verdict == UNREADABLE and declared == "application/pdf":
        return MaterialRefused("unreadable_file", "这不是一份完整的 PDF 文件，无法打开（可能已损坏、未完整下载或设有"
                               "打开密码），请重新导出后上传。")
    if verdict == UNREADABLE:
        return MaterialRefused("unreadable_file", "图片已损坏或不完整，无法打开，请重新拍摄或选择。")
    return None


def _empty() -> MaterialRefused:
    return MaterialRefused("empty_file", "文件是空的（0 字节），请重新选择文件。")


def _too_large(spec: Material) -> MaterialRefused:
    return MaterialRefused("material_too_large", f"“{spec.name}”不能超过 {spec.max_size_mb}MB。", 413)


def owed_now(row: Application, material: str) -> bool:
    """Owed after acceptance (容缺后补) and neither received nor waived yet."""
    return row.state in (State.IN_REVIEW, *DECIDED) and material in case_store.outstanding(row.owed)


async def record(flow: "Workflow", row: Application, citizen: Citizen, material: str, key: str, filename: str,
                 inspector: Inspector) -> MaterialFile:
    """A checked document kept under ``key``: its record, attached to the case."""
    async def new_file(conn) -> MaterialFile:
        return await MaterialFile.create(citizen_id=citizen.id, material=material, object_key=key,
                                         filename=filename[:255], content_type=inspector.sniffed_type,
                                         size=inspector.size, sha256=inspector.sha256, using_db=conn)

    return await attach(flow, row, citizen, material, f"{material}（{inspector.size}字节，sha256 {inspector.sha256[:16]}）",
                        new_file)


async def attach(flow: "Workflow", row: Application, citizen: Citizen, material: str, note: str,
                 file_of: Callable[..., Awaitable[MaterialFile]]) -> MaterialFile:
    """Attach a document to the case with its audit entry, in one transaction. A document owed after
    acceptance is received in that same transaction: no failure between the two can leave it
    attached and still owed (and its deadline still running)."""
    kept: list[MaterialFile] = []

    async def write(conn) -> None:
        file = await file_of(conn)
        await AttachedMaterial.update_or_create(defaults={"file_id": file.id}, application_id=row.id,
                                                material=material, using_db=conn)
        kept[:] = [file]

    if owed_now(row, material):
        def receive(case: Case, now) -> None:
            case.events.append(Event("attach_material", case.state, case.state, note))
            if material in case.outstanding_owed():  # a supervisor may have waived it meanwhile
                case.receive_owed(material, local_date(now), flow.calendar)

        await flow.act(row.id, applicant(citizen), receive, also=lambda loaded: write)
    else:
        async with in_transaction() as conn:
            await write(conn)
            await case_store.record(row.id, applicant(citizen), "attach_material", note, flow.clock(), conn)
        if flow.on_change is not None:
            await flow.on_change(row.id)
    return kept[0]


def applicant(citizen: Citizen) -> case_store.Actor:
    return case_store.Actor(f"citizen:{citizen.id}", "citizen")
