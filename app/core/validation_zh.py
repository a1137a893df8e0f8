"""Chinese texts of field errors (``errors[].msg`` in a zh-CN answer).

Pydantic writes its messages in English; a zh-CN answer carries the Chinese text made from the
error's ``type`` and ``ctx`` (the English stays in an ``en`` answer). A validator's own
``ValueError`` message is looked up in ``VALUE_ERRORS``; an error this table does not know still
gets a Chinese sentence naming its type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# pydantic error type → Chinese template (``str.format`` with the error's ctx)
TYPES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "须为字符串",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "string_unicode": "须为有效的 Unicode 字符串",
    "too_short": "至少须有 {min_length} 项",
    "too_long": "最多只能有 {max_length} 项",
    "int_type": "须为整数",
    "int_parsing": "须为整数",
    "int_from_float": "须为整数，不能带小数",
    "float_type": "须为数字",
    "float_parsing": "须为数字",
    "finite_number": "须为有限数值",
    "bool_type": "须为布尔值（true 或 false）",
    "bool_parsing": "须为布尔值（true 或 false）",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须大于或等于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须小于或等于 {le}",
    "multiple_of": "须为 {multiple_of} 的倍数",
    "decimal_type": "须为数字（金额为十进制字符串）",
    "decimal_parsing": "须为有效的十进制数",
    "decimal_max_digits": "数字位数不能超过 {max_digits} 位",
    "decimal_max_places": "小数位数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分位数不能超过 {whole_digits} 位",
    "enum": "取值须为以下之一：{expected}",
    "literal_error": "取值须为以下之一：{expected}",
    "uuid_type": "须为 UUID",
    "uuid_parsing": "须为有效的 UUID",
    "uuid_version": "UUID 版本不符",
    "date_type": "须为日期（YYYY-MM-DD）",
    "date_parsing": "须为有效日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为有效日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "日期不能带时间部分",
    "datetime_type": "须为日期时间（RFC 3339，带时区偏移）",
    "datetime_parsing": "须为有效的日期时间（RFC 3339，带时区偏移）",
    "datetime_from_date_parsing": "须为有效的日期时间（RFC 3339，带时区偏移）",
    "timezone_aware": "日期时间须带时区偏移",
    "timezone_naive": "日期时间不能带时区偏移",
    "list_type": "须为数组",
    "tuple_type": "须为数组",
    "set_type": "须为数组",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "json_invalid": "不是合法的 JSON",
    "json_type": "须为 JSON 字符串",
    "url_parsing": "须为有效的网址",
    "url_type": "须为网址",
    "url_scheme": "网址协议须为 {expected_schemes}",
    "bytes_type": "须为字节串",
    "none_required": "须为 null",
    "union_tag_invalid": "类型标记无效",
    "date_out_of_range": "日期须在 {earliest} 至 {latest} 之间",
    "datetime_out_of_range": "日期时间须在 {earliest} 至 {end} 之前",
    "datetime_in_future": "不能晚于当前时间（允许 {minutes} 分钟误差）",
    "invalid_character": "不允许 NUL 空字符",
    "null_not_allowed": "不能为空（null）",
}

# A validator's ValueError message (without pydantic's "Value error, " prefix) → Chinese.
VALUE_ERRORS: dict[str, str] = {
    "valid_to must be after valid_from": "结束时间须晚于开始时间",
    "give hazard_id or visit_id": "须提供 hazard_id 或 visit_id",
    "hazard_event_id goes with hazard_id": "hazard_event_id 须与 hazard_id 一起提供",
    "an anonymous report carries no reporter": "匿名举报不填写举报人信息",
    "a named report needs the reporter's name and contact": "实名举报须填写举报人姓名和联系方式",
    "a named report needs the reporter's identity": "实名举报须填写举报人身份信息（至少联系方式）",
    "a named report gives its contact in reporter": "实名举报的联系方式填写在举报人信息中",
    "give enterprise_id or subject_name": "须提供被举报单位（enterprise_id）或名称（subject_name）",
    "region_code is required without enterprise_id": "未指定被举报单位时须填写区划代码",
    "a verification visit needs visit_id": "检查核实须关联检查（visit_id）",
    "a false report has no hazards": "举报不实时不能关联隐患",
    "a 'lower is better' indicator needs a target": "“越低越好”的指标须设定目标值",
    "indicator codes must be unique": "指标代码不能重复",
}
_PREFIXES: dict[str, str] = {
    "not an event type: ": "不是事件类型：",
}


def message_zh(error_type: str, msg: str, ctx: Mapping[str, Any] | None) -> str:
    """The Chinese text of one field error."""
    if error_type in ("value_error", "assertion_error"):
        text = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if text in VALUE_ERRORS:
            return VALUE_ERRORS[text]
        for prefix, zh in _PREFIXES.items():
            if text.startswith(prefix):
                return zh + text.removeprefix(prefix)
        return "取值无效"
    template = TYPES.get(error_type)
    if template is None:
        return f"取值无效（{error_type}）"
    try:
        return template.format(**{k: _plain(v) for k, v in (ctx or {}).items()})
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].rstrip("（：") or "取值无效"


def _plain(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text.replace(" or ", " 或 ").replace("'", "")
