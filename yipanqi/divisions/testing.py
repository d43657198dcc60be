"""Division data for the test suite: levels 1–3 in full, townships and villages of a few counties.

The counties cover the cases of R-JUR-2 and the standard cast (深圳南山区, 四川三台县): a
municipality district (北京东城, 上海浦东, 重庆万州), a county directly under a province (济源),
a stand-in county (东莞), and ordinary city districts.
"""

from yipanqi.divisions.loading import LoadReport, load_divisions

TEST_DIVISION_PREFIXES = [
    "110101",  # 北京市 › 东城区 (under placeholder 1101 市辖区)
    "440305",  # 广东省 › 深圳市 › 南山区
    "510722",  # 四川省 › 绵阳市 › 三台县
    "500101",  # 重庆市 › 万州区
    "419001",  # 河南省 › 济源市 (under placeholder 4190)
    "310115",  # 上海市 › 浦东新区
    "320102",  # 江苏省 › 南京市 › 玄武区
    "330106",  # 浙江省 › 杭州市 › 西湖区
    "420106",  # 湖北省 › 武汉市 › 武昌区
    "441900",  # 广东省 › 东莞市 (stand-in county of city 4419)
]


def load_test_divisions() -> LoadReport:
    """Load the test subset from settings.DATA_DIR; idempotent, about a second on SQLite."""
    return load_divisions(within=TEST_DIVISION_PREFIXES)
