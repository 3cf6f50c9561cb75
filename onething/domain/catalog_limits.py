"""The clock rules the catalog data sets: the warning rule (a default, overridden per item) and
joint handling (联合办理), checked when the catalog loads so a broken value never reaches a case.

A warning rule is ``{share: 0.25}`` (working days left at most a quarter of the promised limit,
rounded down) or ``{days: 2}``. It may not fire the moment an item starts: a number of days at
least the item's promised limit is refused, naming the item.
"""

from __future__ import annotations

from typing import Any

from .catalog import DEFAULT_WARNING, WarningRule

# 行政许可法 §42: joint handling (联合办理) within 45 working days; a thing may not promise more.
JOINT_HANDLING_LIMIT = 45
RULE_SHAPE = "warning must be {share: a number between 0 and 1} or {days: a whole number of working days}"


def catalog_warning(limits: tuple[str, Any] | None, errors: list[str]) -> WarningRule:
    """The catalog's default rule, from its ``limits.yaml`` (the built-in default without one)."""
    if limits is None:
        return DEFAULT_WARNING
    file, data = limits
    if not isinstance(data, dict) or "warning" not in data:
        errors.append(f"{file}: expected the default warning rule under 'warning'")
        return DEFAULT_WARNING
    return parse_warning(data["warning"], f"{file}: warning", errors) or DEFAULT_WARNING


def parse_warning(raw: Any, where: str, errors: list[str]) -> WarningRule | None:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("share", "days"):
        errors.append(f"{where}: {RULE_SHAPE}")
        return None
    ((key, value),) = raw.items()
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if key == "share":
        if not number or not 0 < value < 1:
            errors.append(f"{where}: share must be more than 0 and less than 1, not {value!r}")
            return None
        return WarningRule(share=float(value))
    if not number or not isinstance(value, int) or value < 0:
        errors.append(f"{where}: days must be a whole number of working days, 0 or more, not {value!r}")
        return None
    return WarningRule(days=value)


def item_limits(raw: dict, where: str, default: WarningRule, errors: list[str]) -> tuple[bool, WarningRule]:
    """``(joint handling, warning rule)`` of one item entry; errors name the entry."""
    legal, promised = raw.get("legal_limit"), raw.get("promised_limit")
    joint = raw.get("joint_handling", False)
    if not isinstance(joint, bool):
        errors.append(f"{where}: joint_handling must be true or false")
        joint = False
    elif joint and isinstance(legal, int) and legal > JOINT_HANDLING_LIMIT:
        errors.append(f"{where}: legal limit {legal} is more than the {JOINT_HANDLING_LIMIT} working days "
                      f"of joint handling")
    own = "warning" in raw
    rule = parse_warning(raw["warning"], f"{where}: warning", errors) if own else default
    if rule is not None and rule.days is not None and isinstance(promised, int) and rule.days >= promised:
        source = "its warning rule" if own else "the catalog's default warning rule"
        errors.append(f"{where}: {source} ({rule.days} working days left) would warn the moment the item "
                      f"starts, as its promised limit is {promised}: use fewer days or a share")
    return joint, rule or default
