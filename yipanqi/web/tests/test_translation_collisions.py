"""Issue 12.8: one English string, one meaning. A word that means two things gets a context each.

gettext translates a msgid once. A context-less "Answered" that is both a request's status and
the heading of the column holding the date it was answered shows one Chinese word for both (the
status read 回复时间); the audit's date filters From/To read 发出方/接收方; a proxy's relation
Parent read 上级; a supply point's Name read 姓名. The rule these tests enforce, on every string
read from the source (Python gettext calls and template tags, see msgids.py; the JavaScript has
no strings of its own):

1. The words in ALWAYS_IN_CONTEXT (the ones found with two meanings) carry a message context at
   every use: `pgettext("status", "Answered")`, `{% translate "From" context "request party" %}`.
2. Any other short string (one to three words, the class where collisions happen: statuses,
   column headings, filter labels, relation names) used WITHOUT a context in more than one app,
   or in more than one role (a choice or status value, a field or column name, a button or link,
   a heading, a badge), must be listed in ONE_MEANING with the one Chinese it has everywhere. So
   a new use of an existing word elsewhere fails until someone decides: the same meaning (add it
   to ONE_MEANING) or another meaning (give it a context and its own entry in the .po).
3. ONE_MEANING states the catalog's Chinese: a changed translation has to be checked against
   every place the word is used.
4. Every (context, string) used in the source has a Chinese entry, so no context falls back to
   English.
"""

import re
from collections import defaultdict

from yipanqi.web.tests.msgids import Msg, extract, po_entries

ALWAYS_IN_CONTEXT = {
    "Answered": "a status (已答复) and the date answered (回复时间)",
    "Sent": "a status (已发送) and the date sent (发送时间)",
    "Delivered": "a status (已送达) and the date delivered (送达时间)",
    "From": "a request's sender (发出方) and the start of a date range (起始日期)",
    "To": "a request's receiver (接收方) and the end of a date range (截止日期)",
    "Parent": "a proxy's relation (父母) and a division's parent (上级区划)",
    "Name": "a person's name (姓名) and a place's or thing's name (名称)",
    "name": "a person's name (姓名) and a place's or thing's name (名称)",
}

# Short strings used context-less in several apps or roles, each checked to mean one thing.
ONE_MEANING = {
    "Details": "详细情况",
    "Failed": "失败",
    "Periodic jobs": "定时任务",
    "Succeeded": "成功",
    "%(days)s working day": "%(days)s 个工作日",
    "About": "说明",
    "Action": "操作",
    "Address": "地址",
    "address": "地址",
    "Administration": "系统管理",
    "All": "全部",
    "Annual report": "年度报告",
    "Answer": "答复",
    "answer": "答复",
    "API tokens": "接口令牌",
    "Arrived": "到达日期",
    "Assign": "指派",
    "Audit trail": "审计日志",
    "Birth registrations": "生育服务登记",
    "Birth reports": "出生报告",
    "by": "期限",
    "category": "事项",
    "Certificate number": "证书编号",
    "Certificates": "婚育证明",
    "Child's sex": "婴儿性别",
    "Choose…": "请选择…",
    "City": "市",
    "Closed": "已关闭",
    "Code": "代码",
    "Complaint": "投诉",
    "Complaint received": "已受理投诉",
    "Complaints": "投诉举报",
    "Confirm": "确认",
    "Contraceptive method": "避孕方法",
    "Coordination": "上级协调",
    "Coordination: escalated requests": "上级协调：提请协调的请求",
    "created": "新增",
    "Date": "日期",
    "Date of birth": "出生日期",
    "Date of departure": "离开日期",
    "date of birth": "出生日期",
    "department": "部门",
    "Department feed reports": "部门信息通报",
    "Directory": "通讯录",
    "Due": "到期",
    "Due on": "截止日期",
    "due on": "截止日期",
    "due today": "今天到期",
    "dwelling place": "实际居住地",
    "e.g. 510722": "例如 510722",
    "Edit": "修改",
    "Effective from": "生效日期",
    "Emergency access": "紧急查阅",
    "Escalated": "已提请上级协调",
    "Expired": "已过期",
    "Export": "导出",
    "Feed": "通报",
    "File a complaint": "投诉举报",
    "Filter": "筛选",
    "Find a person": "查询人员",
    "Follow a complaint": "查询投诉办理情况",
    "History": "历史记录",
    "Holiday schedule": "节假日安排",
    "Home": "首页",
    "Home place": "户籍地",
    "Hospital": "医院",
    "Husband": "丈夫",
    "ID number": "身份证号码",
    "Import and export": "导入导出",
    "Importing": "正在导入",
    "Inbox": "待办",
    "Inflow": "流入",
    "Issued by": "发证机关",
    "issued on": "发放日期",
    "Issued on": "发放日期",
    "Jurisdiction": "辖区",
    "jurisdiction": "辖区",
    "Kind": "类别",
    "kind": "类别",
    "late": "超时",
    "Log in": "登录",
    "Log out": "退出",
    "Long-term": "长期有效",
    "Marital status": "婚姻状况",
    "marital status": "婚姻状况",
    "Month": "月份",
    "Nationwide": "全国",
    "Next": "下一页",
    "no": "否",
    "No emergency accesses.": "暂无紧急查阅。",
    "None.": "无。",
    "Note": "备注",
    "note": "备注",
    "Nothing here.": "暂无内容。",
    "number": "编号",
    "Number": "编号",
    "Number of children": "子女数",
    "Object": "对象",
    "on time": "按时",
    "Open": "办理中",
    "Opening hours": "开放时间",
    "Outbox": "已发",
    "Outflow": "流出",
    "overdue": "已逾期",
    "Overdue": "已超期",
    "Password": "密码",
    "Period": "统计期间",
    "person": "人员",
    "Person": "人员",
    "Phone": "联系电话",
    "phone": "电话",
    "place of residence": "现居住地",
    "Place of residence": "现居住地",
    "Previous": "上一页",
    "Print (PDF)": "打印（PDF）",
    "Provider": "服务机构",
    "Province": "省",
    "Province…": "省份…",
    "Reason": "理由",
    "Received": "接收日期",
    "Record a complaint": "登记投诉",
    "Record a service": "登记服务",
    "Record departure": "记录离开",
    "recorded late": "录入超时",
    "Records": "记录数",
    "Regions and deadlines": "协作区与期限",
    "Register her husband": "登记她的丈夫",
    "Registered": "已登记",
    "Registration": "登记",
    "Registrations": "登记记录",
    "Remarks": "备注",
    "Renew certificate": "换发婚育证明",
    "Report a birth": "报告出生",
    "Reported by": "报告来源",
    "Request": "协查",
    "Residence": "现居住地",
    "residence": "现居住地",
    "Result": "结果",
    "Revoke": "作废",
    "revoked": "已作废",
    "Revoked": "已注销",
    "Rows": "行数",
    "Save": "保存",
    "Search": "查询",
    "Second factor": "双因素认证",
    "Service": "服务项目",
    "Service report": "避孕节育情况报告单",
    "Services near you": "身边的服务",
    "Sex": "性别",
    "sex": "性别",
    "Show": "查看",
    "Source": "数据来源",
    "Statistics": "统计",
    "status": "状态",
    "Status": "状态",
    "Subject": "事由",
    "Supply points": "药具发放点",
    "Time": "时间",
    "Two-way assessment": "双向考核",
    "Type": "类型",
    "unchanged": "未变",
    "Unit": "单位",
    "unit": "登记单位",
    "Unknown": "未知",
    "updated": "更新",
    "User": "用户",
    "User name": "用户名",
    "Valid": "有效",
    "Valid until": "有效期至",
    "Value": "数值",
    "Verify the certificate": "查验婚育证明",
    "Versions": "历史版本",
    "Village": "村居",
    "Woman": "女方",
    "year": "年份",
    "Year": "年份",
    "yes": "是",
    "Yipanqi": "一盘棋",
    "zero report": "零通报",
    "what is counted": "计数对象",
}

SHORT_WORDS = 3


def _short(msgid: str) -> bool:
    return 1 <= len(msgid.split()) <= SHORT_WORDS


def collisions(msgs, one_meaning=ONE_MEANING, always=ALWAYS_IN_CONTEXT) -> list[str]:
    """Rules 1 and 2 of the module docstring: what in `msgs` needs a context."""
    problems = []
    uses: dict[str, list[Msg]] = defaultdict(list)
    for msg in msgs:
        if msg.context is not None:
            continue
        if msg.msgid in always:
            problems.append(f"{msg.where}: {msg.msgid!r} has no context ({always[msg.msgid]})")
        elif _short(msg.msgid):
            uses[msg.msgid].append(msg)
    for msgid, places in sorted(uses.items()):
        roles = {msg.role for msg in places} - {None}
        apps = {msg.app for msg in places}
        if (len(roles) > 1 or len(apps) > 1) and msgid not in one_meaning:
            where = ", ".join(f"{m.where} ({m.role or 'text'})" for m in places)
            problems.append(f"{msgid!r} is used in several places without a context: {where}")
    return problems


def test_no_string_is_used_with_two_meanings():
    problems = collisions(extract())
    assert not problems, "\n".join(problems)


def test_the_one_meaning_list_states_the_catalogs_chinese():
    catalog = {(context, msgid): msgstr for context, msgid, msgstr in po_entries()}
    wrong = {
        msgid: (chinese, catalog.get((None, msgid)))
        for msgid, chinese in ONE_MEANING.items()
        if catalog.get((None, msgid)) != chinese
    }
    assert not wrong, wrong
    assert not set(ONE_MEANING) & set(ALWAYS_IN_CONTEXT)


def test_every_context_used_has_its_own_chinese():
    catalog = {(context, msgid): msgstr for context, msgid, msgstr in po_entries()}
    missing = sorted(
        {
            (msg.context, msg.msgid, msg.where)
            for msg in extract()
            if msg.context is not None and not catalog.get((msg.context, msg.msgid))
        }
    )
    assert not missing, missing


def test_each_meaning_reads_right_in_chinese():
    """The collisions named in issue 12, each meaning with its own Chinese."""
    from django.utils import translation
    from django.utils.translation import pgettext

    expected = {
        ("status", "Answered"): "已答复",
        ("date", "Answered"): "回复时间",
        ("status", "Sent"): "已发送",
        ("date", "Sent"): "发送时间",
        ("date range", "From"): "起始日期",
        ("date range", "To"): "截止日期",
        ("request party", "From"): "发出方",
        ("request party", "To"): "接收方",
        ("relation", "Parent"): "父母",
        ("division", "Parent"): "上级区划",
        ("thing", "Name"): "名称",
        ("person", "Name"): "姓名",
        ("network address", "Address"): "IP 地址",
        ("one-time code", "Code"): "验证码",
        ("validity period", "Valid"): "有效期",
        ("status", "Delivered"): "已送达",
        ("date", "Delivered"): "送达时间",
    }
    with translation.override("zh-hans"):
        got = {key: pgettext(*key) for key in expected}
    assert got == expected


def _msg(msgid, path, role, context=None):
    return Msg(msgid, context, path, 1, role, "")


def test_the_rule_catches_the_collisions_issue_12_named():
    """Given the strings as they were before the fix, the check fails on each of them."""
    before = [
        _msg("Answered", "exchange/models.py", "value"),
        _msg("Answered", "stats/templates/stats/drill.html", "field"),
        _msg("Sent", "exchange/models.py", "value"),
        _msg("Sent", "imports/exports.py", None),
        _msg("From", "audit/views.py", "field"),
        _msg("From", "exchange/templates/exchange/detail.html", "field"),
        _msg("Parent", "certificates/models.py", "value"),
        _msg("Parent", "imports/exports.py", None),
        _msg("Name", "services/templates/services/supply_points.html", "field"),
        _msg("Name", "people/templates/people/person_rows.html", "field"),
    ]
    for always in (ALWAYS_IN_CONTEXT, {}):
        found = "\n".join(collisions(before, one_meaning={}, always=always))
        for word in ("Answered", "Sent", "From", "Parent", "Name"):
            assert f"{word!r}" in found, (word, always)
    # A NEW collision of a word not yet known: a status "Closed" beside a column "Closed".
    new = [
        _msg("Closed", "exchange/models.py", "value"),
        _msg("Closed", "exchange/x.html", "field"),
    ]
    assert collisions(new, one_meaning={}, always={})
    # The same word in two roles with a context for each is fine.
    fixed = [
        _msg("Closed", "exchange/models.py", "value", context="status"),
        _msg("Closed", "exchange/x.html", "field", context="date"),
    ]
    assert not collisions(fixed, one_meaning={}, always={})


def test_the_extraction_sees_templates_python_and_their_roles():
    """The check reads what it claims to read: a template's column heading, a model's choice."""
    by_place = {(m.path, m.msgid, m.context): m for m in extract()}
    choice = by_place[("exchange/models.py", "Answered", "status")]
    heading = by_place[("stats/templates/stats/drill.html", "Answered", "date")]
    label = by_place[("audit/views.py", "From", "date range")]
    assert (choice.role, heading.role, label.role) == ("value", "field", "field")
    assert len(extract()) > 1000
    assert re.search(r"\.html$", heading.path)
