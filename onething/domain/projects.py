"""Projects of an enterprise: their level (重点项目 of the province, city or county) and stage."""

from __future__ import annotations

LEVELS = {"provincial": "省重点项目", "city": "市重点项目", "county": "县重点项目"}
STAGES = {
    "preparation": "前期谋划",
    "approval": "审批办理",
    "construction": "开工建设",
    "completed": "竣工验收",
    "operation": "投产运营",
}
