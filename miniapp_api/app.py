"""The mini-program API (``/api/v1``): one table of routes, which checks each request and writes the
OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from . import applications as apps
from . import auth, cases, materials, me, projects, results, shipments, things
from . import schemas as s
from onething.web.routes import Route, mount
from onething.web.schemas import CODE, OK, PAGE, text

M = "/applications/{id}/materials/{material}"
MATERIAL = {"material": {**CODE, "title": "材料"}}
ITEM = {"item": {**CODE, "title": "事项"}}

ROUTES = [
    Route("POST", "/auth/login", auth.login, "用 wx.login 的 code 登录，换取 token", s.LOGIN, public=True,
          response=s.SESSION),
    Route("POST", "/auth/logout", auth.logout, "退出登录（吊销当前 token）", response=OK),
    Route("GET", "/me", me.me, "我的信息（证件号、手机号已脱敏）", response=s.USER),
    Route("PUT", "/me/identity", me.identity, "实名信息：姓名、身份证号、手机号", s.IDENTITY, response=s.USER),
    Route("PUT", "/me/enterprise", me.enterprise, "绑定企业（统一社会信用代码）", s.ENTERPRISE, response=s.USER),
    Route("GET", "/me/wallet", me.wallet, "证照夹：已核验、可直接复用的材料", response=s.WALLET),
    Route("GET", "/me/certificates", results.held, "证照夹中的电子证照：本人及所属企业办件签发的，及各自可替代的材料",
          response=s.CERTIFICATES),
    Route("GET", "/me/subscriptions", me.subscriptions,
          "订阅消息：要请求授权的模板（wx.requestSubscribeMessage 的 tmplIds）和各自剩余可发条数（-1 为长期）",
          response=s.SUBSCRIPTIONS),
    Route("POST", "/me/subscriptions", me.record_subscriptions, "上报 wx.requestSubscribeMessage 的结果",
          s.SUBSCRIBE, response=s.CONSENTS),
    *projects.ROUTES,
    Route("GET", "/things", things.things, "可办理的“一件事”", public=True, response=s.items_of(s.THING)),
    Route("GET", "/things/{code}", things.thing, "一件事的一次性告知和申请表", public=True,
          params={"code": {**CODE, "title": "事项"}}, response=s.THING_NOTICE),
    Route("POST", "/applications", apps.create, "新建办件（草稿）", s.NEW_CASE, response=s.CASE_DETAIL, status=201,
          responses={"201": "已创建"}),
    Route("GET", "/applications", apps.list_mine, "我的办件（分页）", query={"page": PAGE}, response=s.CASES),
    Route("GET", "/applications/{id}", apps.get, "办件详情：状态、各事项进度与期限、预计办结日期、材料、办理记录",
          response=s.CASE_DETAIL),
    Route("PUT", "/applications/{id}/form", apps.update_form, "修改申请表（草稿或补正时；审查中仅限被退回事项的字段）",
          s.FORM_CHANGE, response=s.CASE_DETAIL),
    Route("POST", M + "/upload-url", materials.upload_url, "申请直传地址（限定大小和类型）", s.UPLOAD_URL,
          params=MATERIAL, response=s.UPLOAD),
    Route("POST", M + "/confirm", materials.confirm, "直传完成后确认：文件移出直传地址（该地址此后再写入也不影响已确认的"
          "文件），核对大小、类型、摘要，PDF 须能完整解析、图片须能解码", params=MATERIAL, response=s.CASE_DETAIL),
    Route("PUT", M, materials.put, "经接口直接上传文件（请求体即文件）", query={"filename": text(255, "文件名", default="")},
          params=MATERIAL, upload=s.FILE_TYPES, response=s.CASE_DETAIL),
    Route("POST", M, materials.from_wallet, "从证照夹调用已核验的材料；容缺材料补交", s.FROM_WALLET, params=MATERIAL,
          response=s.CASE_DETAIL),
    Route("POST", M + "/from-certificate", results.from_certificate,
          "用证照夹中的电子证照替代这项材料（零材料：不再上传）", s.FROM_CERTIFICATE, params=MATERIAL, response=s.CASE_DETAIL),
    Route("POST", "/applications/{id}/submit", apps.submit, "提交（缺项时返回全部缺少的内容）", response=s.CASE_DETAIL),
    Route("POST", "/applications/{id}/withdraw", apps.withdraw, "撤回（受理前）", s.WITHDRAW, response=s.CASE_DETAIL),
    Route("POST", "/applications/{id}/resubmit", apps.resubmit, "补正后重新提交", response=s.CASE_DETAIL),
    Route("POST", "/applications/{id}/tasks/{item}/resubmit", apps.resubmit_item,
          "审查中补正：按退回事项的问题清单修改材料或表单后提交，该事项恢复计时", params=ITEM, response=s.CASE_DETAIL),
    Route("PUT", "/applications/{id}/delivery", apps.delivery, "领取方式：邮寄或窗口领取", s.DELIVERY,
          response=s.CASE_DETAIL),
    Route("GET", "/applications/{id}/shipment", shipments.shipment,
          "邮寄进度：承运快递、运单号、物品、每次扫描记录；申请人本人可见取件码（签收时告诉快递员）",
          response=s.SHIPMENT, responses={"404": "尚未寄出（no_shipment）或无此办件"}),
    Route("GET", "/applications/{id}/results", results.results,
          "办理结果：各已办结事项的电子证照，附几分钟内有效的下载地址", response=s.RESULTS),
    Route("POST", "/applications/{id}/evaluation", apps.evaluate, "好差评（每件一次，1-5 分）", s.EVALUATION,
          response=s.CASE_DETAIL, status=201, responses={"201": "已评价"}),
]


def create_app() -> web.Application:
    app = web.Application(middlewares=[auth.citizen_auth, cases.applicant_first])
    mount(app, ROUTES, prefix="/api/v1", title="onething 小程序接口")
    auth.ride_along(app, ROUTES)
    return app
