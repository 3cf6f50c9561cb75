"""The mini-program API (``/api/v1``): one table of routes, which also writes the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from . import applications as apps
from . import auth, materials, me, projects, shipments, things
from onething.web.routes import Route, mount

STRING = {"type": "string"}
ADDRESS = {"type": "object", "required": ["province", "city", "district", "detail"],
           "properties": {k: STRING for k in ("province", "city", "district", "detail")}}
M = "/applications/{id}/materials/{material}"

ROUTES = [
    Route("POST", "/auth/login", auth.login, "用 wx.login 的 code 登录，换取 token", {
        "type": "object", "required": ["code"], "properties": {"code": STRING}}, public=True),
    Route("POST", "/auth/logout", auth.logout, "退出登录（吊销当前 token）"),
    Route("GET", "/me", me.me, "我的信息（证件号、手机号已脱敏）"),
    Route("PUT", "/me/identity", me.identity, "实名信息：姓名、身份证号、手机号", {
        "type": "object", "required": ["real_name", "id_number", "mobile"],
        "properties": {"real_name": STRING, "id_number": STRING, "mobile": STRING}}),
    Route("PUT", "/me/enterprise", me.enterprise, "绑定企业（统一社会信用代码）", {
        "type": "object", "required": ["credit_code"], "properties": {"credit_code": STRING}}),
    Route("GET", "/me/wallet", me.wallet, "证照夹：已核验、可直接复用的材料"),
    Route("GET", "/me/subscriptions", me.subscriptions,
          "订阅消息：要请求授权的模板（wx.requestSubscribeMessage 的 tmplIds）和各自剩余可发条数（-1 为长期）"),
    Route("POST", "/me/subscriptions", me.record_subscriptions, "上报 wx.requestSubscribeMessage 的结果", {
        "type": "object", "required": ["results"], "properties": {
            "results": {"type": "object", "maxProperties": 50, "additionalProperties": {"type": "string", "maxLength": 64}}}}),
    *projects.ROUTES,
    Route("GET", "/things", things.things, "可办理的“一件事”", public=True),
    Route("GET", "/things/{code}", things.thing, "一件事的一次性告知和申请表", public=True),
    Route("POST", "/applications", apps.create, "新建办件（草稿）", {
        "type": "object", "required": ["thing"], "properties": {
            "thing": STRING, "form": {"type": "object"}, "enterprise": STRING}}, responses={"201": "已创建"}),
    Route("GET", "/applications", apps.list_mine, "我的办件（分页：?page=N）"),
    Route("GET", "/applications/{id}", apps.get, "办件详情：状态、各事项进度与期限、预计办结日期、材料、办理记录"),
    Route("PUT", "/applications/{id}/form", apps.update_form, "修改申请表（草稿或补正时；审查中仅限被退回事项的字段）", {
        "type": "object", "properties": {"form": {
            "type": "object", "description": "个人信息栏目（personal）显示为掩码：原样提交掩码即保留原值，重新填写则替换"}}}),
    Route("POST", M + "/upload-url", materials.upload_url, "申请直传地址（限定大小和类型）", {
        "type": "object", "required": ["filename", "content_type", "size"],
        "properties": {"filename": STRING, "content_type": {"enum": ["image/jpeg", "image/png", "application/pdf"]},
                       "size": {"type": "integer"}}}),
    Route("POST", M + "/confirm", materials.confirm, "直传完成后确认：文件移出直传地址（该地址此后再写入也不影响已确认的文件），核对大小、类型、摘要，PDF 须能完整解析、图片须能解码"),
    Route("PUT", M, materials.put, "经接口直接上传文件（请求体即文件，?filename=）"),
    Route("POST", M, materials.from_wallet, "从证照夹调用已核验的材料；容缺材料补交", {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "integer"}}}),
    Route("POST", "/applications/{id}/submit", apps.submit, "提交（缺项时返回全部缺少的内容）"),
    Route("POST", "/applications/{id}/withdraw", apps.withdraw, "撤回（受理前）", {
        "type": "object", "properties": {"reason": STRING}}),
    Route("POST", "/applications/{id}/resubmit", apps.resubmit, "补正后重新提交"),
    Route("POST", "/applications/{id}/tasks/{item}/resubmit", apps.resubmit_item,
          "审查中补正：按退回事项的问题清单修改材料或表单后提交，该事项恢复计时"),
    Route("PUT", "/applications/{id}/delivery", apps.delivery, "领取方式：邮寄或窗口领取", {
        "type": "object", "required": ["method"], "properties": {
            "method": {"enum": ["post", "pickup"]}, "recipient": STRING, "phone": STRING, "address": ADDRESS}}),
    Route("GET", "/applications/{id}/shipment", shipments.shipment,
          "邮寄进度：承运快递、运单号、物品、每次扫描记录；申请人本人可见取件码（签收时告诉快递员）",
          responses={"404": "尚未寄出（no_shipment）或无此办件"}),
    Route("POST", "/applications/{id}/evaluation", apps.evaluate, "好差评（每件一次，1-5 分）", {
        "type": "object", "required": ["score"], "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": STRING}},
        responses={"201": "已评价"}),
]


def create_app() -> web.Application:
    app = web.Application(middlewares=[auth.citizen_auth])
    mount(app, ROUTES, prefix="/api/v1", title="onething 小程序接口")
    return app
