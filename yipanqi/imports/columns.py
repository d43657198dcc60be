"""The columns an import understands, the header names people give them, and finding the header.

Spreadsheets from villages often start with a merged title row (“2026年3月流入人口登记表”) and a
note or two; the header is the first of the top rows that names at least two known columns.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yipanqi.imports.models import ImportKind

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Field:
    name: str
    label: object  # a lazy translation
    required: bool
    synonyms: tuple[str, ...]


ID = ("身份证号", "身份证号码", "公民身份号码", "公民身份证号", "身份证", "证件号码", "证件号",
      "居民身份证号码", "idnumber", "id", "idno", "idcard", "residentid")  # fmt: skip
NAME = ("姓名", "名字", "name", "fullname")
SEX = ("性别", "sex", "gender")
BIRTH = ("出生日期", "出生年月日", "出生年月", "dateofbirth", "birthdate", "birthday")
PHONE = (
    "联系电话",
    "电话",
    "手机",
    "手机号",
    "手机号码",
    "联系方式",
    "phone",
    "mobile",
    "telephone",
)

REGISTRATION_FIELDS = (
    Field("id_number", _("ID number"), True, ID),
    Field("name", pgettext_lazy("person", "Name"), True, NAME),
    Field("sex", _("Sex"), False, SEX),
    Field("birth_date", _("Date of birth"), False, BIRTH),
    Field("home_code", _("Home place"), True,
          ("户籍地", "户籍地代码", "户籍地址", "户籍所在地", "户口所在地", "户籍地区划代码", "户籍",
           "home", "homeplace", "homecode", "householdregistration")),
    Field("residence_code", _("Place of residence"), True,
          ("现居住地", "现居住地代码", "现居住地址", "现住址", "居住地", "居住地址", "现居住地区划代码",
           "流入地", "流入地址", "residence", "residencecode", "placeofresidence")),
    Field("arrival_date", _("Date of arrival or departure"), True,
          ("到达日期", "流入日期", "来本地日期", "到达时间", "来本地时间", "流出日期", "外出日期",
           "离开户籍地日期", "离开日期", "arrivaldate", "arrival", "departuredate", "dateofarrival")),
    Field("reason", _("Reason for the stay"), True,
          ("流动原因", "外出原因", "流入原因", "流出原因", "原因", "reason", "reasonforthestay")),
    Field("marital_status", _("Marital status"), True,
          ("婚姻状况", "婚姻状态", "婚姻", "maritalstatus", "marital")),
    Field("phone", _("Phone"), False, PHONE),
    Field("received_on", _("Date the township received the report"), False,
          ("接收日期", "报告日期", "上报日期", "receivedon", "received")),
    Field("dwelling_code", _("Dwelling place (works here, lives elsewhere)"), False,
          ("实际居住地", "住所地", "dwelling", "dwellingcode")),
)  # fmt: skip

FEED_COMMON = (  # fmt: skip
    Field(
        "id_number",
        _("ID number"),
        True,
        ID + ("母亲身份证号", "产妇身份证号", "母亲身份证号码", "经营者身份证号", "承租人身份证号"),
    ),
    Field(
        "name",
        pgettext_lazy("person", "Name"),
        True,
        NAME + ("母亲姓名", "产妇姓名", "经营者姓名", "承租人姓名"),
    ),
)
FEED_FIELDS = {
    ImportKind.FEED_TEMPORARY_RESIDENCE: FEED_COMMON
    + (
        Field("place", _("Place of residence"), True,
              ("暂住地", "暂住地址", "居住地", "居住地址", "现居住地", "现住址", "居住证地址",
               "place", "residence")),
        Field("event_date", _("Date of the permit"), True,
              ("登记日期", "暂住登记日期", "申领日期", "办理日期", "date", "permitdate")),
        Field("sex", _("Sex"), False, SEX),
        Field("phone", _("Phone"), False, PHONE),
    ),
    ImportKind.FEED_MARRIAGE: FEED_COMMON
    + (
        Field("event_date", _("Date of registration"), True,
              ("登记日期", "婚姻登记日期", "办理日期", "date", "registrationdate")),
        Field("marriage_type", _("Registration type"), True,
              ("登记类型", "婚姻登记类型", "业务类型", "类型", "type", "registrationtype")),
        Field("place", _("Registry office"), False, ("登记机关所在地", "登记地", "place")),
    ),
    ImportKind.FEED_HOSPITAL_BIRTH: FEED_COMMON
    + (
        Field("event_date", _("Date of birth of the child"), True,
              ("出生日期", "婴儿出生日期", "新生儿出生日期", "分娩日期", "birthdate", "dateofbirth")),
        Field("child_sex", _("Sex of the child"), True,
              ("婴儿性别", "新生儿性别", "性别", "childsex", "sex")),
        Field("place", _("Place of birth"), False,
              ("出生地", "医院所在地", "出生地点", "place", "placeofbirth")),
        Field("hospital", _("Hospital"), False, ("医院", "接生机构", "助产机构", "hospital")),
    ),
    # R-FEED-1: public security's deaths and moves.
    ImportKind.FEED_DEATH: FEED_COMMON
    + (
        Field("event_date", _("Date of death"), True,
              ("死亡日期", "死亡时间", "注销日期", "户口注销日期", "date", "dateofdeath")),
        Field("place", _("Place of death"), False,
              ("死亡地点", "死亡地", "注销地", "户籍注销地", "place", "placeofdeath")),
    ),
    ImportKind.FEED_MOVE: FEED_COMMON
    + (
        Field("place", _("New place of residence"), True,
              ("迁入地", "迁入地址", "新居住地", "新住址", "现居住地", "现住址", "变更后住址",
               "居住地", "place", "newplace", "newresidence")),
        Field("event_date", _("Date of the move"), True,
              ("迁移日期", "迁入日期", "变更日期", "住址变更日期", "登记日期", "date", "movedate")),
        Field("from_place", _("Former place of residence"), False,
              ("迁出地", "迁出地址", "原住址", "原居住地", "变更前住址", "fromplace", "formerplace")),
    ),
    # R-FEED-1: human resources and social security, housing, market regulation notices.
    ImportKind.FEED_EMPLOYMENT: FEED_COMMON
    + (
        Field("place", _("Place of work"), True,
              ("工作地", "工作地点", "就业地", "单位地址", "用人单位地址", "参保地", "place",
               "workplace")),
        Field("event_date", _("Date of employment or insurance registration"), True,
              ("就业登记日期", "参保日期", "参保登记日期", "入职日期", "登记日期", "date")),
        Field("employer", _("Employer"), False,
              ("用人单位", "单位名称", "用人单位名称", "工作单位", "employer")),
    ),
    ImportKind.FEED_RENTAL: FEED_COMMON
    + (
        Field("place", _("Address of the rented home"), True,
              ("房屋地址", "租赁房屋地址", "承租地址", "出租房屋地址", "居住地址", "place",
               "address")),
        Field("event_date", _("Date the lease was registered"), True,
              ("备案日期", "租赁备案日期", "租赁起始日期", "起租日期", "登记日期", "date")),
        Field("lease_until", _("End of the lease"), False,
              ("租赁截止日期", "租赁终止日期", "到期日期", "leaseuntil", "leaseend")),
    ),
    ImportKind.FEED_BUSINESS: FEED_COMMON
    + (
        Field("place", _("Place of business"), True,
              ("经营场所", "经营地址", "经营场所地址", "住所", "place", "businessaddress")),
        Field("event_date", _("Date of business registration"), True,
              ("登记日期", "成立日期", "注册日期", "开业日期", "date", "registrationdate")),
        Field("business_name", _("Business name"), False,
              ("字号名称", "个体工商户名称", "企业名称", "名称", "商户名称", "businessname")),
    ),
}  # fmt: skip


def fields_for(kind: str) -> tuple[Field, ...]:
    if kind in ImportKind.registrations():
        return REGISTRATION_FIELDS
    return FEED_FIELDS[kind]


_STRIP_HEADER = re.compile(r"[\s\u3000*＊:：_\-./（）()\[\]【】]|必填|选填")


def clean_header(text) -> str:
    """身份证号码（必填） -> 身份证号码; 'ID number' -> idnumber."""
    return _STRIP_HEADER.sub("", str(text or "")).lower()


def match_field(header, fields: tuple[Field, ...]) -> str | None:
    """The field a header names, by exact synonym, else by a synonym it starts with."""
    cleaned = clean_header(header)
    if not cleaned:
        return None
    for field in fields:
        if cleaned in field.synonyms:
            return field.name
    best, best_len = None, 0
    for field in fields:
        for synonym in field.synonyms:
            if len(synonym) >= 2 and cleaned.startswith(synonym) and len(synonym) > best_len:
                best, best_len = field.name, len(synonym)
    return best


def auto_mapping(headers: list, fields: tuple[Field, ...]) -> dict[str, str]:
    """{column index as text: field name}, each field taken by its first column only."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = match_field(header, fields)
        if name and name not in taken:
            mapping[str(index)] = name
            taken.add(name)
    return mapping


def find_header(rows: list[list], fields: tuple[Field, ...]) -> int | None:
    """Index of the header row among the first rows: the first naming two or more fields."""
    best_index, best_count = None, 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        count = len({f for f in (match_field(cell, fields) for cell in row) if f})
        if count > best_count:
            best_index, best_count = index, count
            if count >= 4:
                break
    return best_index


def missing_required(mapping: dict[str, str], fields: tuple[Field, ...]) -> list[Field]:
    chosen = set(mapping.values())
    return [field for field in fields if field.required and field.name not in chosen]
