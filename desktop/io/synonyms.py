"""Column-name synonyms seen in insurer and DMS exports (DESIGN §7 plus real-world variants).

Order matters: within a field, an earlier synonym wins when two columns map to the same field
(被保险人 beats 投保人: the insured is the one whose car it is).
"""

from __future__ import annotations

import unicodedata

_RAW: dict[str, list[str]] = {
    "plate": ["车牌号", "车牌号码", "号牌号码", "车牌", "号牌", "车号", "牌照号", "牌照号码", "车辆号牌",
              "车牌照号", "号牌号", "车辆牌照号"],
    "vin": ["车架号", "VIN", "VIN码", "车辆识别代号", "车辆识别代码", "车辆识别号", "车架号码", "车架号VIN",
            "车架号/VIN", "车辆识别代号/车架号", "识别代号", "底盘号"],
    "owner": ["被保险人", "被保人", "车主", "车主姓名", "客户姓名", "客户名称", "投保人", "被保险人名称",
              "被保险人姓名", "投保人名称", "投保人姓名", "行驶证车主", "所有人", "车辆所有人", "姓名", "客户"],
    "phone": ["联系电话", "手机号", "手机", "电话", "手机号码", "联系方式", "联系手机", "客户电话", "车主电话",
              "车主手机", "客户手机", "移动电话", "电话号码", "联系人电话", "被保险人电话", "被保险人手机",
              "投保人电话", "投保人手机"],
    "id_number": ["证件号码", "身份证号", "身份证号码", "证件号", "身份证", "身份证件号码", "被保险人证件号码",
                  "被保险人证件号", "被保险人身份证号", "车主身份证号", "车主证件号码", "投保人证件号码",
                  "投保人身份证号", "证件号码(身份证)"],
    "insurer": ["保险公司", "承保公司", "承保机构", "保险人", "出单公司", "承保保险公司", "保险公司名称",
                "投保公司"],
    "policy_no": ["保单号", "保单号码", "保险单号", "保单编号", "保险单号码", "保单"],
    "kind": ["险种", "险种名称", "险别", "险种类别", "险类", "保险类型", "险种类型", "保险险种", "险种代码"],
    "start": ["保险起期", "起保日期", "生效日期", "保险起始日期", "起保时间", "保险开始日期", "起保日",
              "保单起期", "保险起期时间", "保险生效日期", "开始日期", "起始日期"],
    "end": ["保险止期", "终保日期", "到期日期", "到期日", "保险到期日", "保险到期日期", "保险终止日期",
            "保险结束日期", "终保时间", "止保日期", "保单止期", "到期时间", "保险止期时间", "结束日期", "终止日期"],
    "ci_start": ["交强险起期", "交强险起保日期", "交强险生效日期", "交强险开始日期", "交强险起保时间",
                 "交强起期", "交强险保险起期"],
    "ci_end": ["交强险止期", "交强险到期日", "交强险到期日期", "交强险终保日期", "交强险到期", "交强险到期时间",
               "交强险结束日期", "交强险终止日期", "交强止期", "交强到期日", "交强险保险止期"],
    "ci_policy_no": ["交强险保单号", "交强险保单号码", "交强保单号", "交强险保险单号"],
    "ci_insurer": ["交强险保险公司", "交强险承保公司"],
    "bi_start": ["商业险起期", "商业险起保日期", "商业险生效日期", "商业险开始日期", "商业起期", "商业险保险起期"],
    "bi_end": ["商业险止期", "商业险到期日", "商业险到期日期", "商业险终保日期", "商业险到期", "商业险到期时间",
               "商业险结束日期", "商业险终止日期", "商业止期", "商业到期日", "商业险保险止期"],
    "bi_policy_no": ["商业险保单号", "商业险保单号码", "商业保单号", "商业险保险单号"],
    "bi_insurer": ["商业险保险公司", "商业险承保公司"],
    "premium": ["保费", "交强险保费", "保险费", "签单保费", "实收保费", "应收保费", "保费金额", "交强保费"],
    "bi_premium": ["商业险保费", "商业保费", "商业险保险费"],
    "vehicle_tax": ["车船税", "代收车船税", "车船税金额", "车船使用税", "车船税合计"],
    "registered": ["初登日期", "注册日期", "初次登记日期", "初次登记", "登记日期", "车辆初登日期", "首次登记日期",
                   "初次登记时间", "上牌日期", "注册登记日期"],
    # 行驶证 facts that fix the vehicle class (its 年检 rule and premium band): desktop.core.vehicle_use
    "use": ["使用性质", "车辆使用性质", "使用性质名称"],
    "seats": ["座位数", "核定载客", "核定载人数", "核定载客数", "核定座位数", "座位"],
    "address": ["地址", "通讯地址", "住址", "联系地址", "家庭住址", "邮寄地址", "客户地址", "车主地址", "通信地址",
                "详细地址", "收件地址"],
}

# Recognised column names we deliberately do not import: they still prove a row is the header.
IGNORED = ["发动机号", "发动机号码", "序号", "编号", "品牌型号", "厂牌型号", "车型", "车辆型号", "备注", "业务员", "经办人", "出单员", "车辆类型", "排量", "新车购置价", "车身颜色",
           "签单日期", "出单日期", "录入日期", "原行号", "错误原因"]

FIELDS: frozenset[str] = frozenset(_RAW)


def _n(s: str) -> str:
    # Same folding as headers.norm (kept here so this table has no import cycle).
    return "".join(unicodedata.normalize("NFKC", s).split()).lower()


SYNONYMS: dict[str, str] = {}
for _field, _words in _RAW.items():
    for _w in _words:
        SYNONYMS.setdefault(_n(_w), _field)
for _w in IGNORED:
    SYNONYMS.setdefault(_n(_w), "ignore")

CI_PREFIX = "交强险"
BI_PREFIX = "商业险"
# A parent header cell that names a term kind; children below it belong to that kind.
GROUP_MARKERS = {_n(k): CI_PREFIX for k in ("交强险", "交强", "交强险信息", "交强险保单", "交强险保险")}
GROUP_MARKERS.update({_n(k): BI_PREFIX for k in ("商业险", "商业", "商业险信息", "商业险保单", "商业保险")})
# Child words that only mean something under a kind group (起期 alone is not a known header).
GROUP_CHILD = {"起期": "start", "止期": "end", "起保": "start", "终保": "end", "到期": "end", "生效": "start",
               "保单": "policy_no"}
# (group, generic field of the child) → the per-vehicle field.
TERM_SPLIT = {
    (CI_PREFIX, "start"): "ci_start", (CI_PREFIX, "end"): "ci_end", (CI_PREFIX, "policy_no"): "ci_policy_no",
    (CI_PREFIX, "insurer"): "ci_insurer", (CI_PREFIX, "premium"): "premium",
    (BI_PREFIX, "start"): "bi_start", (BI_PREFIX, "end"): "bi_end", (BI_PREFIX, "policy_no"): "bi_policy_no",
    (BI_PREFIX, "insurer"): "bi_insurer", (BI_PREFIX, "premium"): "bi_premium",
}
