"""Every piece of Chinese text a user sees lives here.

Ledger headers and their variants, the lists of allowed values, rejection reasons a
county clerk reads, and the words of the officials' reports. Code elsewhere refers to
these by English keys, so wording can be fixed in one place.
"""

from __future__ import annotations

# --- ledger kinds -------------------------------------------------------------------

KIND_TITLES = {
    "placements": "转移就业台账",
    "trainings": "培训台账",
    "workshops": "就业帮扶车间台账",
    "transports": "有组织输送台账",
    "followups": "就业服务跟踪台账",
    "targets": "目标任务",
}

# --- headers: canonical Chinese header and the variants seen in real ledgers -----------
# Variants are compared after normalisation (NFKC, no spaces/line breaks, full-width
# brackets folded), so only genuinely different wordings need listing.

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "placements": {
        "name": ("姓名",),
        "id_number": ("身份证号码", "身份证号", "公民身份号码", "身份证"),
        "origin_code": ("户籍地行政区划代码", "户籍地区划代码", "户籍所在地行政区划代码"),
        "is_poverty": ("是否脱贫劳动力", "是否脱贫人口", "脱贫劳动力"),
        "is_monitored": ("是否防止返贫监测对象", "是否监测对象", "防止返贫监测对象"),
        "destination_category": ("就业地区类别", "就业地类别", "就业区域类别"),
        "destination_province": ("就业地省份", "就业省份"),
        "destination_city": ("就业地市县", "就业地市(县)", "就业市县"),
        "employer": ("就业单位", "就业单位名称", "用工单位"),
        "industry": ("就业行业", "所属行业"),
        "channel": ("就业渠道", "就业方式"),
        "employment_date": ("就业日期", "就业时间", "上岗时间"),
        "monthly_wage": ("月工资(元)", "月工资", "月收入(元)"),
        "contract_months": ("劳动合同期限(月)", "劳动合同期限", "合同期限(月)"),
        "reporting_unit": ("填报单位",),
    },
    "trainings": {
        "class_id": ("班次编号", "培训班编号", "班级编号"),
        "programme": ("培训项目", "培训品牌"),
        "trade": ("培训工种", "工种"),
        "training_type": ("培训类别", "培训类型"),
        "provider": ("承训机构", "培训机构"),
        "training_region_code": ("培训地行政区划代码", "培训地区划代码"),
        "start_date": ("开班日期", "开班时间"),
        "end_date": ("结业日期", "结业时间"),
        "training_days": ("培训天数",),
        "is_order_training": ("是否订单定向培训", "是否订单培训"),
        "name": ("姓名",),
        "id_number": ("身份证号码", "身份证号", "公民身份号码", "身份证"),
        "origin_code": ("户籍地行政区划代码", "户籍地区划代码"),
        "is_poverty": ("是否脱贫劳动力", "是否脱贫人口"),
        "is_monitored": ("是否防止返贫监测对象", "是否监测对象"),
        "is_two_after": ("是否两后生",),
        "attendance_days": ("出勤天数",),
        "completed": ("是否结业",),
        "certificate": ("取得证书", "证书类型", "取得证书类型"),
        "employed_after": ("培训后是否就业", "是否就业"),
        "employed_in_trade": ("是否对口就业",),
        "is_project_based": ("是否项目制培训", "是否项目制"),
        "signed_contract": ("是否与车间签订劳动合同", "是否签订劳动合同"),
        "contract_workshop_id": ("关联车间编号", "签约车间编号"),
    },
    "workshops": {
        "workshop_id": ("车间编号",),
        "workshop_name": ("车间名称",),
        "location_code": ("所在地行政区划代码", "所在地区划代码"),
        "resettlement_site": ("所在安置区", "安置区"),
        "workshop_type": ("车间类型",),
        "main_industry": ("主导产业",),
        "aid_region": ("援建地区", "帮扶地区"),
        "recognised_date": ("认定日期", "认定时间"),
        "employed": ("吸纳就业人数", "吸纳就业人数(人)", "就业人数"),
        "poverty_employed": ("其中脱贫劳动力", "其中:脱贫劳动力", "其中脱贫劳动力人数"),
        "monitored_employed": ("其中监测对象", "其中:监测对象", "其中防止返贫监测对象"),
        "avg_monthly_wage": ("月人均工资(元)", "月人均工资", "人均月工资(元)"),
    },
    "transports": {
        "batch": ("批次",),
        "trip_id": ("班次编号", "车次编号", "班次号"),
        "transport_mode": ("输送方式", "交通方式"),
        "direction": ("方向", "输送方向"),
        "departure_date": ("出发日期", "发车日期", "出发时间"),
        "departure_code": ("出发地行政区划代码", "出发地区划代码"),
        "destination_province": ("目的地省份", "目的地(省)"),
        "destination_city": ("目的地市县", "目的地(市县)"),
        "persons": ("输送人数", "输送人数(人)"),
        "poverty_persons": ("其中脱贫劳动力", "其中:脱贫劳动力", "其中脱贫劳动力人数"),
        "is_free": ("是否免费", "是否免费乘车"),
    },
    "followups": {
        "id_number": ("身份证号码", "身份证号", "公民身份号码", "身份证"),
        "name": ("姓名",),
        "origin_code": ("户籍地行政区划代码", "户籍地区划代码"),
        "service_type": ("服务类型", "服务方式"),
        "service_date": ("服务日期", "服务时间"),
        "recommend_unit": ("推介单位", "推介用人单位"),
        "recommend_post": ("推介岗位", "推介岗位名称"),
        "visit_result": ("回访结果",),
        "class_id": ("关联班次编号", "培训班次编号"),
        "service_agency": ("服务机构", "服务单位"),
    },
    "targets": {
        "year": ("年度", "年份"),
        "region_code": ("行政区划代码", "区划代码"),
        "indicator": ("指标", "指标名称", "指标代码"),
        "target_value": ("目标值", "目标任务数", "目标"),
    },
}

# --- allowed values -------------------------------------------------------------------

DESTINATION_CATEGORIES = ("广东省", "东部其他省份", "省内就近")
CHANNELS = (
    "有组织输出",
    "劳务协作工作站",
    "招聘会",
    "就业帮扶车间",
    "公益性岗位",
    "自主就业",
    "其他",
)
PROGRAMMES = (
    "粤菜师傅",
    "广东技工",
    "南粤家政",
    "乡村工匠",
    "八桂家政",
    "八桂建工",
    "八桂米粉师傅",
)
OTHER_PROGRAMME = "其他"  # a programme not in the list, in metrics_by_programme
TRAINING_TYPES = ("就业技能培训", "岗位技能提升培训", "创业培训")
CERTIFICATES = ("职业技能等级证书", "专项职业能力证书", "职业资格证书", "无")
WORKSHOP_TYPES = ("就业帮扶车间", "稳岗就业基地")
TRANSPORT_MODES = ("包车", "专列", "高铁专列", "包机")
TRANSPORT_DIRECTIONS = ("返岗", "返乡")
SERVICE_TYPES = ("岗位推介", "就业回访", "职业指导")
VISIT_RESULTS = ("已就业", "未就业", "无法联系")

FLAG_CHOICES = ("是", "否")  # what templates offer
FLAG_TRUE = ("是", "Y", "YES", "√", "✓", "✔", "1", "TRUE", "T")
FLAG_FALSE = ("否", "N", "NO", "×", "✗", "0", "FALSE", "F")
# Tick-style marks: a column that holds any of these (per file and sheet) is filled
# √/空 or Y/空 style, so an empty cell in it means 否 (DESIGN, "What happens to every row").
CHECK_MARKS = ("√", "✓", "✔", "Y", "YES")

# Rows whose first cells say these are totals or footers, not data.
TOTAL_ROW_MARKERS = ("合计", "小计", "总计")
FOOTER_ROW_PREFIXES = ("填表人", "审核人", "制表人", "填报人", "负责人", "注:", "说明:", "备注:")

# --- indicators (code → Chinese name, unit) --------------------------------------------

INDICATORS: dict[str, tuple[str, str]] = {
    "employed_persons": ("帮助农村劳动力就业人数", "人"),
    "employed_poverty_persons": ("其中脱贫劳动力", "人"),
    "employed_poverty_share": ("脱贫劳动力占比", "%"),
    "employed_monitored_persons": ("其中防止返贫监测对象", "人"),
    "employed_guangdong_persons": ("到广东省就业人数", "人"),
    "employed_guangdong_poverty_persons": ("其中到广东省就业脱贫劳动力", "人"),
    "employed_other_east_persons": ("到东部其他省份就业人数", "人"),
    "employed_other_east_poverty_persons": ("其中到东部其他省份就业脱贫劳动力", "人"),
    "employed_in_province_persons": ("省内就近就业人数", "人"),
    "employed_in_province_poverty_persons": ("其中省内就近就业脱贫劳动力", "人"),
    "employed_organized_persons": ("有组织输出人数", "人"),
    "employed_target": ("目标任务", "人"),
    "employed_target_rate": ("目标完成率", "%"),
    "training_classes": ("培训期数", "期"),
    "training_person_times": ("培训人次", "人次"),
    "training_poverty_person_times": ("其中脱贫劳动力人次", "人次"),
    "training_persons": ("培训人数", "人"),
    "training_order_classes": ("订单定向培训期数", "期"),
    "training_order_person_times": ("订单定向培训人次", "人次"),
    "training_completion_rate": ("结业率", "%"),
    "training_certificate_rate": ("取证率", "%"),
    "training_employment_rate": ("培训后就业率", "%"),
    "training_in_trade_rate": ("对口就业率", "%"),
    "workshop_count": ("帮扶车间数", "个"),
    "workshop_employed": ("吸纳就业人数", "人"),
    "workshop_poverty_employed": ("其中脱贫劳动力", "人"),
    "workshop_poverty_share": ("车间脱贫劳动力占比", "%"),
    "base_count": ("稳岗就业基地数", "个"),
    "base_employed": ("基地吸纳就业人数", "人"),
    "subsidy_training_amount": ("就业技能培训补贴（测算）", "元"),
    "subsidy_living_amount": ("生活费补贴（测算）", "元"),
    "subsidy_capped_person_times": ("达到补贴上限人次", "人次"),
    "followup_due_persons": ("应跟踪服务人数", "人"),
    "followup_recommend3_rate": ("推介≥3个岗位完成率", "%"),
    "followup_visit_ontime_rate": ("按期回访率", "%"),
    "followup_overdue_persons": ("逾期未回访人数", "人"),
    "transport_trips": ("有组织输送班次", "个"),
    "transport_person_times": ("有组织输送人次", "人次"),
    "transport_poverty_person_times": ("其中脱贫劳动力人次", "人次"),
    "transport_to_work_trips": ("返岗输送班次", "个"),
    "transport_to_work_person_times": ("返岗输送人次", "人次"),
    "transport_to_work_poverty_person_times": ("返岗输送脱贫劳动力人次", "人次"),
    "transport_home_trips": ("返乡输送班次", "个"),
    "transport_home_person_times": ("返乡输送人次", "人次"),
    "transport_home_poverty_person_times": ("返乡输送脱贫劳动力人次", "人次"),
}

# --- collabstats explain (pipelines/outputs/explain.py) and the dashboard's 溯源 --------------

_CUMULATIVE = "当年1月1日起累计至统计期月底，"
_PERSONS = "按户籍地归属，同一人多次就业只计一次"
EXPLAIN = {
    "definitions": {
        "employed_persons": _CUMULATIVE + "有至少一条转移就业记录的不同人数（" + _PERSONS + "）。",
        "employed_poverty_persons": _CUMULATIVE
        + "是否脱贫劳动力为“是”的就业人数（"
        + _PERSONS
        + "）。",
        "employed_monitored_persons": _CUMULATIVE
        + "是否防止返贫监测对象为“是”的就业人数（"
        + _PERSONS
        + "）。",
        "employed_guangdong_persons": _CUMULATIVE
        + "就业地区类别为“广东省”的就业人数；同一人在两类地区就业，两类各计一次。",
        "employed_guangdong_poverty_persons": _CUMULATIVE
        + "其中脱贫劳动力，就业地区类别为“广东省”。",
        "employed_other_east_persons": _CUMULATIVE + "就业地区类别为“东部其他省份”的就业人数。",
        "employed_other_east_poverty_persons": _CUMULATIVE
        + "其中脱贫劳动力，就业地区类别为“东部其他省份”。",
        "employed_in_province_persons": _CUMULATIVE + "就业地区类别为“省内就近”的就业人数。",
        "employed_in_province_poverty_persons": _CUMULATIVE
        + "其中脱贫劳动力，就业地区类别为“省内就近”。",
        "employed_organized_persons": _CUMULATIVE + "就业渠道为“有组织输出”的就业人数。",
        "employed_poverty_share": "其中脱贫劳动力 ÷ 帮助农村劳动力就业人数 × 100%，按未取整的人数计算后四舍五入保留两位小数。",
        "employed_target": "目标任务台账中本地区当年的就业目标。",
        "employed_target_rate": "帮助农村劳动力就业人数 ÷ 目标任务 × 100%；无目标时为空。",
        "training_classes": "当年开班的不同班次数。",
        "training_person_times": "当年开班的培训报名记录数（一人参加两个班计两人次）。",
        "training_persons": "当年参加培训的不同人数。",
        "training_completion_rate": "结业人次 ÷ 培训人次 × 100%。",
        "workshop_count": "统计期当月报送的帮扶车间数（存量，不跨月相加）。",
        "workshop_employed": "统计期当月各车间吸纳就业人数之和（存量，不跨月相加）。",
        "workshop_poverty_share": "车间其中脱贫劳动力 ÷ 吸纳就业人数 × 100%（当月存量）。",
    },
    "no_definition": "定义见 DESIGN.md 指标表。",
    "unknown_region": "找不到地区“{text}”（或该地区没有数据）。",
    "unknown_indicator": "不认识的指标“{text}”。可选：{known}",
    "no_figure": "{region} {period} 没有指标 {indicator} 的数。",
    "headline": "{region}（{period}）{name}：{value}",
    "definition": "定义",
    "children": "下级地区",
    "children_sum": "下级合计 {sum}；本地区去重后为 {value}，有 {overlap} 人在两个以上下级地区都有记录，只计一次。",
    "children_equal": "下级合计 {sum}，与本地区的数相同。",
    "parts": "构成",
    "files": "来源文件（每个文件贡献的人数 = 首次在该文件中计入的人）",
    "files_columns": ("文件", "报送月份", "SHA-256", "读取行", "入库行", "拒收行", "贡献人数"),
    "files_sum": "各文件贡献合计 {sum}，等于上面的数。",
    "rejected": "    拒收：{reasons}",
    "totals_differ": "    合计核对：{message}",
    "by_month": "逐月构成（各月新增人数）",
    "by_month_columns": ("月份", "新增", "累计"),
    "no_lineage": "该指标暂不提供文件溯源（目前覆盖就业人数类指标；比率见其构成）。",
    "button": "这个数从哪里来？",
    # what changed since the previous publish (file_changes, metric_changes, lineage_changes)
    "since": "与上次发布相比",
    "changed": "最近一次有变化的发布（{at}）中，此数由 {before} 变为 {after}（{delta}）。",
    "appeared": "最近一次有变化的发布（{at}）中首次出现此数：{after}。",
    "unchanged": "最近一次有变化的发布（{at}）中此数未变。",
    "first": "这是首次发布，没有可比较的上次发布。",
    "changes_columns": ("文件", "文件变化", "上次贡献", "本次贡献", "差"),
    "change_names": {"added": "新增", "replaced": "替换", "removed": "删除"},
    "file_unchanged": "未变（其他文件变化使首次计入的文件改变）",
}

# The wide marts' indicator columns, in order, with the Chinese column name of the
# Chinese-labelled wide mart (unit in brackets; names that repeat across topics, such as
# 其中脱贫劳动力, carry their topic). `python -m pipelines.database.seeds` writes them
# into dbt (macros/wide_columns.sql, models/marts/_wide_marts.yml).
WIDE_COLUMNS: dict[str, str] = {
    "employed_persons": "帮助农村劳动力就业人数（人）",
    "employed_poverty_persons": "其中脱贫劳动力（人）",
    "employed_poverty_share": "脱贫劳动力占比（%）",
    "employed_monitored_persons": "其中防止返贫监测对象（人）",
    "employed_guangdong_persons": "到广东省就业人数（人）",
    "employed_other_east_persons": "到东部其他省份就业人数（人）",
    "employed_in_province_persons": "省内就近就业人数（人）",
    "employed_organized_persons": "有组织输出人数（人）",
    "employed_target": "目标任务（人）",
    "employed_target_rate": "目标完成率（%）",
    "training_classes": "培训期数（期）",
    "training_person_times": "培训人次（人次）",
    "training_poverty_person_times": "培训脱贫劳动力人次（人次）",
    "training_persons": "培训人数（人）",
    "training_order_classes": "订单定向培训期数（期）",
    "training_order_person_times": "订单定向培训人次（人次）",
    "training_completion_rate": "结业率（%）",
    "training_certificate_rate": "取证率（%）",
    "training_employment_rate": "培训后就业率（%）",
    "training_in_trade_rate": "对口就业率（%）",
    "workshop_count": "帮扶车间数（个）",
    "workshop_employed": "帮扶车间吸纳就业人数（人）",
    "workshop_poverty_employed": "帮扶车间吸纳脱贫劳动力（人）",
    "workshop_poverty_share": "车间脱贫劳动力占比（%）",
    "base_count": "稳岗就业基地数（个）",
    "base_employed": "基地吸纳就业人数（人）",
    "transport_trips": "有组织输送班次（个）",
    "transport_person_times": "有组织输送人次（人次）",
    "transport_poverty_person_times": "输送脱贫劳动力人次（人次）",
}
# The wide marts' leading columns: name → (Chinese column name, description).
WIDE_KEYS: dict[str, tuple[str, str]] = {
    "period": (
        "统计月份",
        "统计月份 YYYY-MM，数值为当年1月1日至该月底累计。Reporting month; values cumulative from 1 January to its end.",
    ),
    "period_date": (
        "统计月份首日",
        "统计月份的第一天（日期型，便于作时间轴）。The month's first day, a DATE for time axes.",
    ),
    "region_code": (
        "地区代码",
        "6位行政区划代码：省 xx0000，市 xxxx00，其余为县。6-digit division code: province xx0000, city xxxx00, else county.",
    ),
    "region_name": ("地区名称", "地区全称。The region's full name."),
    "region_level": ("地区级别", "province / city / county（省 / 市 / 县）。The region's level."),
}
REGION_LEVELS = {"province": "省", "city": "市", "county": "县"}

# Indicators a target may be set for, by the Chinese name used in target ledgers.
TARGET_INDICATOR_ALIASES = {
    "帮助农村劳动力就业人数": "employed_persons",
    "帮助农村劳动力转移就业人数": "employed_persons",
    "农村劳动力转移就业人数": "employed_persons",
    "转移就业人数": "employed_persons",
    "脱贫劳动力就业人数": "employed_poverty_persons",
    "其中脱贫劳动力": "employed_poverty_persons",
    "到广东省就业人数": "employed_guangdong_persons",
    "培训人次": "training_person_times",
    "培训期数": "training_classes",
    "帮扶车间数": "workshop_count",
    "吸纳就业人数": "workshop_employed",
}

# --- rejection reasons (what a county clerk reads) ---------------------------------------
# {col} is the Chinese header, {period} the reporting period.

REASONS = {
    "required": "缺少必填项「{col}」",
    "not_in_list": "「{col}」的值不在规定选项内（可选：{choices}）",
    "bad_flag": "「{col}」应填写“是”或“否”",
    "bad_date": "「{col}」无法识别为日期（请填写如 2024-05-03）",
    "date_after_period": "「{col}」晚于填报期末（{period_end}）",
    "date_order": "结业日期早于开班日期",
    "bad_number": "「{col}」应为数字",
    "negative": "「{col}」不能为负数",
    "subtotal_exceeds": "「{col}」大于「{total}」",
    "attendance_exceeds": "出勤天数大于培训天数",
    "id_length": "身份证号码应为18位（数字，最后一位可为X）",
    "id_lost_digits": "身份证号码已被Excel转为数字，后几位丢失，请将该列设为“文本”格式后重新填写",
    "id_birth_date": "身份证号码中的出生日期无效",
    "id_check_digit": "身份证号码校验位错误",
    "region_unknown": "「{col}」不是有效的行政区划代码",
    "region_not_county": "「{col}」应为县级行政区划代码",
    "region_from_id_unknown": "未填写户籍地行政区划代码，且无法从身份证号码识别户籍地",
    "indicator_unknown": "「{col}」不是可设定目标的指标",
    "year_mismatch": "「{col}」与所在文件夹年份（{year}）不一致",
    "duplicate": "重复记录",
    "required_for": "「{when_col}」为“{when}”时必须填写「{col}」",
    "class_inconsistent": "同一班次的培训项目、承训机构或起止日期在不同行（或不同文件）中不一致",
}

# A duplicate rejection names the row it repeats ({path}, {row} are filled in SQL).
DUPLICATE_COLUMN = "（整行）"
DUPLICATE_OF = "与 {path}{sheet} 第{row}行相同"

# Notes (not rejections) written to the ingestion log.
NOTES = {
    "origin_from_id": "{n} 行未填写户籍地行政区划代码，已按身份证号码前6位推算",
    "id_region_unknown": "{n} 行身份证号码前6位不是已知的行政区划代码（仅提示）",
    "unknown_columns": "已忽略未识别的列：{cols}",
    "skipped": "已跳过 {blank} 个空行、{total} 个合计/小计行、{footer} 个落款行",
}

# --- reconciling a ledger's own totals (合计/小计 rows, a count in the title) ---------------

TITLE_LABEL = "标题"  # a count stated in the title rows ("本月新增就业 312 人")
# Why a reported total differs from what was loaded from the same rows; one per cause code
# (pipelines/database/reconcile.py). Short names for tables, then the sentence for the clerk.
RECONCILE_CAUSES = {
    "agrees": "一致",
    "rejected": "含未入库的行",
    "persons": "按人数合计",
    "other_months": "只计了本月日期",
    "filtered": "疑为筛选后合计",
    "more": "合计大于明细",
}
RECONCILE = {
    # {where}: 第N行「合计」 or 标题; {column}: the column the number sits under
    "head": "你表中{where}为 {reported}，系统计得 {loaded}",
    "where_row": "{sheet}第{row}行{label}（「{column}」列）",
    "where_sheet": "工作表「{sheet}」",
    "where_title": "标题“{column}”",
    "rows_unit": " 条",
    "rejected": "：其中 {reasons}，未入库",
    "reason_count": "{n} 行{reason}",
    "persons": "：你表按人数合计（{persons} 人），表中有人不止一条记录（多出 {n} 条）",
    "other_months": "：你表只合计了日期在 {period} 的行，另有 {n} 行日期不在本月",
    "filtered": "：合计小于表中明细，可能是筛选后的合计，或增删行后合计未更新",
    "more": "：合计大于表中明细，可能删去了行而合计未更新，或合计含其他表的数",
    "report_sheet": "核对",
    "report_topic": "台账合计核对",
    "report_columns": (
        "县",
        "文件",
        "工作表",
        "行号",
        "列",
        "台账中",
        "系统计得",
        "差额",
        "可能原因",
        "说明",
    ),
    "report_note": "注：各县台账自报的合计（合计/小计行、标题中的人数）与系统按入库行计得的数不一致之处；仅供核对，不影响以上各表的数字。",
    # the statistical alarms of the region's counties, under the totals (metric_alarms)
    "alarms_title": "异常提示（系统按各县自身历史自动判断的不合理数字，请核实台账；不影响以上各表的数字）",
    "alarms_columns": ("县", "指标", "异常类型", "本月值", "近期中位数", "说明"),
    "check_head": "合计核对（不影响报送，仅供核对）：",
    "check_written": "核对明细已写入：{path}",
    "sheet": "合计核对",
    "columns": ("工作表", "行号", "合计项", "列", "你表中", "系统计得", "差额", "可能原因", "说明"),
}

# Reasons a whole file could not be read.
FILE_ERRORS = {
    "empty": "文件为空或没有任何数据",
    "not_xlsx": "文件不是有效的 Excel（.xlsx）文件，可能已损坏、加密或为旧版 .xls 格式",
    "encoding": "无法识别文件编码（应为 UTF-8 或 GBK）",
    "no_header": "未找到表头行：请使用模板中的列名（如「{example}」）",
    "wrong_kind": "该文件看起来是「{found}」，却放在了「{expected}」的文件夹中",
    "missing_columns": "缺少必需的列：{cols}",
    "unsupported": "不支持的文件类型（只接受 .xlsx 和 .csv）",
    "too_large": "工作表「{sheet}」的范围过大（{extent}），超出系统可处理的上限，未读取；请删除多余的空行空列后另存",
    "cell_too_long": "{where}有单元格超过{limit}个字符（Excel上限），文件可能已损坏或引号不成对",
    "stray_newline": "第{line}行附近有不成对的换行符（单独的回车符），请用 Excel/WPS 重新另存为 CSV",
    "bad_csv": "CSV 文件格式错误（第{line}行附近）：{detail}",
    "unreadable": "文件无法读取（{detail}），请用 Excel/WPS 打开确认后重新保存",
}

# Why something under raw/ is not read as a ledger (ingestion log, status 'skipped').
SKIPPED = {
    "bad_folder": "文件夹名不是填报期（应为 YYYY-MM，如 2024-01；目标任务为 YYYY），其中的文件未读取",
    "no_period_folder": "文件未放在填报期文件夹中（应为 raw/类别/YYYY-MM/文件名）",
    "subfolder": "填报期文件夹中的子文件夹不读取，请把台账直接放在填报期文件夹中",
    "xls": "旧版 .xls 格式不能读取，请用 Excel/WPS 另存为 .xlsx 后重新报送",
    "not_ledger": "不是台账文件（只接受 .xlsx 和 .csv）",
    "problem_list": "这是 collabstats check 生成的问题清单，不是台账",
    "outside": "链接指向 raw/ 以外的位置，未读取",
    "unknown_top": "不是台账文件夹（应为 placements、trainings、workshops、targets 之一）",
}

# Why a sheet of a workbook was looked at and not read (named in the file's log message).
SHEET_NOTES = {
    "empty": "空工作表",
    "no_header": "未找到台账表头",
    "other_kind": "看起来是「{found}」",
    "summary": "未读取的工作表：{sheets}",
}

# --- pre-submission check (collabstats check) ---------------------------------------------

CHECK = {
    "ok": "检查通过：共 {n} 行数据，没有发现问题。",
    "bad": "发现 {bad} 行有问题（共 {n} 行数据），请修改后再报送。明细已写入：{path}",
    "failed": "文件无法读取：{reason}",
    "sheet": "问题清单",
    "columns": ("工作表", "行号", "列", "填写内容", "问题"),
    "period": "填报期：{period}",
    "no_period": "无法确定“{file}”的填报期：文件夹名、文件名和标题行都没有写明年月。请用 --period YYYY-MM 指定（如 --period 2024-11）。",
    "bad_period": "填报期“{period}”的格式不对，应为 YYYY-MM（目标任务为 YYYY）。",
    "out_in_raw": "问题清单不能写入 raw/ 文件夹（{folder}），否则下次运行会把它当作台账。请用 --out 指定其他文件夹。",
}

# `collabstats check --help` and `template --help` for county clerks: each English help
# text of those commands is followed by this Chinese one.
HELP = {
    "check": "报送前预检：按正式运行的规则检查一个台账文件，列出会被拒收的行及原因（问题清单另存为 Excel）；有问题时退出码为 1。",
    "check_file": "要检查的台账文件（.xlsx 或 .csv）。",
    "check_kind": "台账类别，默认按文件夹或表头判断： placements 转移就业 / trainings 培训 / workshops 帮扶车间 / transports 有组织输送 / followups 就业服务跟踪 / targets 目标任务。",
    "check_period": "填报期 YYYY-MM。默认取文件夹名，其次是文件名或标题行中的 2024年11月 这样的年月；都没有时会提示指定（退出码 2）。",
    "check_out": "问题清单保存的文件夹（默认当前文件夹；不能是 raw/ 文件夹）。",
    "template": "生成空白台账模板：表头、下拉选项、身份证号码文本格式，以及填表说明工作表。",
    "template_kind": "台账类别（任选其一）： placements 转移就业 / trainings 培训 / workshops 帮扶车间 / transports 有组织输送 / followups 就业服务跟踪 / targets 目标任务。",
    "template_out": "模板保存的文件夹（默认当前文件夹）。",
}

# --- templates ---------------------------------------------------------------------------

TEMPLATE = {
    "file": "{title}模板.xlsx",
    "data_sheet": "台账",
    "help_sheet": "填表说明",
    "title_row": "XX县XXXX年XX月{title}",
    "help_header": ("列名", "是否必填", "填写要求"),
    "required": "必填",
    "origin_note": "（不填则按身份证号码前6位推算）",
    "optional": "选填",
    "general": (
        "1. 每月一个文件，放在对应填报期的文件夹中；请勿修改表头文字。",
        "2. 身份证号码列已设为文本格式，请勿改为数字，否则后几位会丢失。",
        "3. 日期请填写如 2024-05-03；是否类请填写“是”或“否”。",
        "4. 报送前可运行 collabstats check 文件名 进行预检。",
        "5. 表头颜色：橙色为必填列，每行都要填写；蓝色为选填列，没有可以不填。",
    ),
    # The colour legend beside the title row of the 台账 sheet.
    "legend": "橙色表头：必填　蓝色表头：选填",
    "rules": {
        "name": "填写姓名（系统不保存明文）",
        "id": "18位身份证号码，文本格式",
        "region": "6位县级行政区划代码",
        "flag": "是 / 否",
        "date": "日期，如 2024-05-03，不晚于填报期末",
        "int": "非负整数",
        "number": "非负数",
        "text": "文本",
        "choice": "从下拉列表中选择：{choices}",
        "year": "四位年份，如 2024",
        "indicator": "指标名称或代码，如 帮助农村劳动力就业人数",
        "region_any": "6位行政区划代码（省、市或县）",
    },
}

# The warehouse's write lock (pipelines/database/lock.py).
LOCK = {
    "waiting": "仓库 {folder} 正被另一个运行使用（{holder}），等待其结束……",
    "orphan": "结束上次被中断的运行遗留的 dbt 进程（pid {pid}），它仍占用着仓库。",
    "busy": "仓库 {folder} 正被另一个运行使用（{holder}），已等待 {seconds} 秒仍未结束，本次运行放弃。请等它结束后再运行（COLLAB_LOCK_TIMEOUT 可调整等待秒数）。",
}

KEY_MISMATCH = (
    "COLLAB_PII_KEY is not the key this warehouse was built with: every person would get a "
    "second pseudonym and every distinct count would grow. Refusing to run. Use the key "
    "the warehouse was built with, or change the key on purpose with `collabstats rekey` "
    "(rebuilds every person key from the ledgers in raw/ under the key now set). "
    "COLLAB_PII_KEY 与建库时使用的密钥不一致，本次运行已拒绝；如需更换密钥，请运行 collabstats rekey。"
)

DEMO_KEY_WARNING = (
    "COLLAB_PII_KEY is not set: using the built-in DEMO key. "
    "Pseudonyms are NOT protected; never use this with real ledgers."
)

FONT = "宋体"  # CJK font of every workbook we write

# `collabstats run` refusing to start (one line each, for the data team).
RUN_ERRORS = {
    "no_raw_dir": "台账文件夹不存在：{raw}（用 --raw-dir 或 COLLAB_RAW_DIR 指定）",
    "no_ledgers": "台账文件夹 {raw} 中没有任何台账（应放在 {raw}/<类别>/<YYYY-MM>/ 下），未运行。",
    "no_month": "台账文件夹 {raw} 中没有 {month} 的台账，仓库中也没有该月的数据，未运行。",
    "interrupted": "运行被中断；仓库未被破坏，重新运行即可从中断处继续。",
}

REKEY = "已清除按旧密钥生成的人员标识；将按新密钥重新读取 {raw} 中的 {n} 个台账文件。"

RUN_HEADLINE = "帮助农村劳动力就业人数 {persons}，脱贫劳动力占比 {share}"

# --- statistical alarms (marts/metric_alarms; thresholds: dbt_project.yml `alarms`) -----
# rule: (中文名称, reason in Chinese, reason in English). The model fills the {fields}:
# name (indicator's Chinese name), indicator (its code), value, baseline, change, unit,
# months, low, high, kind / kind_en (the ledger). Written into the model by
# pipelines/database/seeds.py, so the wording is fixed here alone.
ALARM_RULES: dict[str, tuple[str, str, str]] = {
    "drop": (
        "骤降",
        "本月新增{name} {value} {unit}，较近{months}个月中位数 {baseline} {unit}下降 {change}%",
        "{indicator}: {value} new this month, {change}% below the median of the previous {months} months ({baseline})",
    ),
    "spike": (
        "骤增",
        "本月新增{name} {value} {unit}，较近{months}个月中位数 {baseline} {unit}上升 {change}%",
        "{indicator}: {value} new this month, {change}% above the median of the previous {months} months ({baseline})",
    ),
    "share_jump": (
        "占比突变",
        "本月新增人员中{name}为 {value}%，近{months}个月中位数为 {baseline}%，相差 {change} 个百分点",
        "{indicator} among the persons new this month: {value}%, against a median of {baseline}% over the previous {months} months ({change} points apart)",
    ),
    "share_band": (
        "占比越界",
        "本月新增人员中{name}为 {value}%，超出合理范围 {low}%～{high}%",
        "{indicator} among the persons new this month: {value}%, outside the plausible band {low}%-{high}%",
    ),
    "constant_rate": (
        "长期不变",
        "{name}已连续 {months} 个月为 {value}%",
        "{indicator} has been {value}% for {months} months running",
    ),
    "silent": (
        "未报送",
        "本月未收到{kind}（此前连续 {months} 个月均有报送）",
        "no {kind_en} ledger this month, after one in each of the previous {months} months",
    ),
    "stock_rise": (
        "存量突增",
        "{name}本月为 {value} {unit}，较近{months}个月中位数 {baseline} {unit}增加 {change}%",
        "{indicator}: {value} this month, {change}% above the median of the previous {months} months ({baseline})",
    ),
    "stock_fall": (
        "存量突减",
        "{name}本月为 {value} {unit}，较近{months}个月中位数 {baseline} {unit}减少 {change}%",
        "{indicator}: {value} this month, {change}% below the median of the previous {months} months ({baseline})",
    ),
}

# `collabstats alarms`
ALARMS_CLI = {
    "title": "{period} 统计异常提示（{n} 条，按各县自身历史判断，仅供核实）",
    "columns": ("县", "指标", "异常类型", "说明"),
    "none": "{period} 没有统计异常提示。",
    "no_file": "还没有 serving.duckdb（{path}）：请先运行 collabstats run。",
}

# --- officials' report (collabstats export) ------------------------------------------------

REPORT = {
    "file": "东西部劳务协作统计表_{region}_{year}年{month:02d}月",
    "title": "{region}东西部劳务协作{topic}统计表",
    "unit_line": "填报单位：{region}人力资源和社会保障局　　　　单位：人、%",
    "as_of": "截至{year}年{month}月{day}日",
    "region_col": "地区",
    "total_row": "合计",
    # The total row by the report's level; a total that is the region's own figure, not
    # the sum of the rows above, carries the mark and a footnote (DESIGN).
    "total_rows": {"province": "全省合计", "city": "全市合计", "county": "合计"},
    "own_figure_mark": "※",
    "note_own_persons": "※ {total}为本{unit}去重后的人数：同一人在多个地区就业只计一次，不是上列各地区之和。",
    "note_own_target": "※ {total}的目标任务是下达给本{unit}的目标，不是上列各地区目标之和；目标完成率按本{unit}的人数和目标计算。",
    "level_units": {"province": "省", "city": "市", "county": "县"},
    "form_block": (
        "表　　号：{number}{sheet}表",
        "制定机关：{authority}",
        "有效期至：{valid_until}",
    ),
    "programme_title": "{region}按培训项目分列",
    "subsidy_classes_title": "测算明细（按培训班、学员户籍县；依据 policy_rules，如桂人社发〔2022〕7号）",
    "subsidy_classes_columns": (
        "班次编号",
        "培训项目",
        "学员户籍县",
        "学员人次",
        "可补贴人天",
        "就业技能培训补贴（元）",
        "生活费补贴（元）",
        "达到上限人次",
        "疑似重复享受人次",
    ),
    "overdue_title": "逾期未完成就业服务跟踪名单（身份证号码、姓名已遮挡；推介不少于3个岗位，首次推介后3个月内回访）",
    "overdue_columns": (
        "户籍县",
        "身份证号码",
        "姓名",
        "班次编号",
        "结业日期",
        "已推介岗位数",
        "首次推介日期",
        "回访日期",
        "应完成日期",
        "逾期天数",
    ),
    "overdue_none": "截至本月末无逾期未完成的跟踪服务。",
    "pairing_sheet": "结对帮扶",
    "pairing_topic": "结对帮扶",
    "pairing_helper": "帮扶方",
    "pairing_type": "结对类型",
    "pairing_recipients": "受帮扶地区",
    "pairing_total_type": "合计",  # pairing_metrics' pairing_type of a helper's total row
    "pairing_total": "{region}合计※",
    "note_pairing": "※ 合计为本地区及所辖地区全部结对的受帮扶地区合并后的数（人数去重）：同一受帮扶地区被多个结对覆盖只计一次，不是上列各行之和。培训按学员户籍地、帮扶车间按所在地、有组织输送按出发地计入受帮扶地区。",
    "programme_col": "培训项目",
    "footer": "单位负责人：　　　　　　填表人：　　　　　　联系电话：　　　　　　报出日期：　　　　年　　月　　日",
    "missing": "—",
    "note_missing": "注：“—”表示该地区本期无数据（未报送或无此项工作），不等于0。",
    "note_target": "注：目标完成率 = 帮助农村劳动力就业人数 ÷ 目标任务；无目标任务的地区显示“—”。",
    "chart_destinations": "转移就业去向（人）",
    "chart_target_rate": "目标完成率",
    "no_data": "{region} {period} 没有数据，未生成报表。",
    "unknown_region": "无法识别地区“{text}”（请填写6位行政区划代码或地区名称）",
    "ambiguous_region": "地区名称“{text}”对应多个地区：{codes}，请改用行政区划代码",
}

# --- the dashboard (collabstats dashboard) --------------------------------------------------

DASHBOARD = {
    "title": "东西部劳务协作统计看板",
    "no_file": "还没有可查看的数据：仓库中没有 serving.duckdb（{path}）。请先运行 collabstats run。",
    "province": "省（区）",
    "city": "市（州）",
    "county": "县（区）",
    "whole": "（全部）",
    "period": "统计月份（截至月底）",
    "tabs": (
        "总览",
        "趋势",
        "下级地区",
        "培训",
        "帮扶车间",
        "补贴测算",
        "有组织输送",
        "就业服务跟踪",
        "结对帮扶",
        "数据质量",
    ),
    "no_pairings": "本月没有结对帮扶数据。",
    "cards": (
        ("employed_persons", "帮助农村劳动力就业人数"),
        ("employed_poverty_persons", "其中脱贫劳动力"),
        ("employed_poverty_share", "脱贫劳动力占比"),
        ("employed_target_rate", "目标完成率"),
    ),
    "destinations": (
        ("employed_guangdong_persons", "到广东省就业"),
        ("employed_other_east_persons", "到东部其他省份就业"),
        ("employed_in_province_persons", "省内就近就业"),
        ("employed_organized_persons", "有组织输出"),
    ),
    "delta_help": "与上月底相比（数值为当年1月1日起累计）",
    "trend_cumulative": "当年累计人数（截至各月底）",
    "trend_new": "各月新增人数（本月累计 − 上月累计）",
    "trend_series": {
        "employed_persons": "帮助农村劳动力就业人数",
        "employed_poverty_persons": "其中脱贫劳动力",
    },
    "month": "月份",
    "children_caption": "与报表“{sheet}”工作表相同的行；{total}为本地区自身的数（去重后的人数、本地区的目标），不是上列之和。",
    "no_children": "{region}没有下级地区。",
    "files_by_month": "各月报送文件数",
    "missing": "上月报送、本月未报送的文件",
    "none_missing": "没有：上月报送的文件本月都已报送。",
    "unreadable": "无法读取的文件",
    "none_unreadable": "没有无法读取的文件。",
    "rejected": "本月拒收的行（按原因和文件）",
    "rejected_sample": "拒收明细（前200行，姓名、身份证号码已脱敏）",
    "none_rejected": "本月没有拒收的行。",
    "reconciliation": "台账自报合计与系统计数不一致（仅供核对，不影响发布）",
    "none_reconciliation": "本月各台账自报的合计都与系统计数一致（或台账未写合计）。",
    "alarms": "统计异常提示（按各县自身历史判断，仅供核实，不影响发布）",
    "none_alarms": "本月没有统计异常提示。",
    "alarm_pick": "查看该县该指标的各月数值",
    "alarm_value": "所判断的数",
    "alarm_baseline": "近期中位数",
    "download": "下载 {region} {period} 统计表（Excel）",
    "columns": {
        "kind": "台账类别",
        "period": "月份",
        "loaded": "已读取",
        "unreadable": "无法读取",
        "file": "文件",
        "path": "文件",
        "message": "原因",
        "reason": "原因",
        "problems": "问题数",
        "row_number": "行号",
        "column_name": "列",
        "masked_value": "填写内容（已脱敏）",
        "sheet": "工作表",
        "reported": "台账中",
        "loaded_value": "系统计得",
        "difference": "差额",
        "cause": "可能原因",
        "region_name": "县",
        "indicator_name": "指标",
        "rule_name": "异常类型",
        "value": "本月值",
        "baseline": "近期中位数",
        "reason_zh": "说明",
    },
    "kinds": {
        "placements": "转移就业",
        "trainings": "培训",
        "workshops": "帮扶车间",
        "transports": "有组织输送",
        "followups": "就业服务跟踪",
        "targets": "目标任务",
    },
}

# The 结对帮扶 sheet of a helper region's workbook (collabstats export --region 广州市).
REPORT_PAIRING_COLUMNS = (
    ("employed_persons", "帮助农村劳动力就业人数"),
    ("employed_poverty_persons", "其中：脱贫劳动力"),
    ("employed_poverty_share", "脱贫劳动力占比"),
    ("employed_guangdong_persons", "到广东省就业"),
    ("employed_organized_persons", "有组织输出人数"),
    ("training_person_times", "培训人次"),
    ("training_persons", "培训人数"),
    ("workshop_count", "帮扶车间数（个）"),
    ("workshop_employed", "车间吸纳就业人数"),
    ("transport_person_times", "有组织输送人次"),
)

# The 培训 sheet's breakdown by 培训项目: (indicator, column label).
REPORT_PROGRAMME_COLUMNS = (
    ("training_classes", "培训期数（期）"),
    ("training_person_times", "培训人次"),
    ("training_persons", "培训人数"),
    ("training_completion_rate", "结业率"),
    ("training_employment_rate", "培训后就业率"),
)

# Sheets of the workbook: (sheet name, topic for the title, [(indicator, column label)]).
REPORT_SHEETS = (
    ("就业情况", "转移就业情况", (
        ("employed_persons", "帮助农村劳动力就业人数"),
        ("employed_poverty_persons", "其中：脱贫劳动力"),
        ("employed_poverty_share", "脱贫劳动力占比"),
        ("employed_monitored_persons", "其中：防止返贫监测对象"),
        ("employed_guangdong_persons", "到广东省就业"),
        ("employed_other_east_persons", "到东部其他省份就业"),
        ("employed_in_province_persons", "省内就近就业"),
        ("employed_organized_persons", "有组织输出人数"),
    )),
    ("培训情况", "职业技能培训情况", (
        ("training_classes", "培训期数（期）"),
        ("training_person_times", "培训人次"),
        ("training_poverty_person_times", "其中：脱贫劳动力人次"),
        ("training_persons", "培训人数"),
        ("training_order_person_times", "订单定向培训人次"),
        ("training_completion_rate", "结业率"),
        ("training_certificate_rate", "取证率"),
        ("training_employment_rate", "培训后就业率"),
        ("training_in_trade_rate", "对口就业率"),
    )),
    ("帮扶车间", "就业帮扶车间情况", (
        ("workshop_count", "帮扶车间数（个）"),
        ("workshop_employed", "吸纳就业人数"),
        ("workshop_poverty_employed", "其中：脱贫劳动力"),
        ("workshop_poverty_share", "脱贫劳动力占比"),
        ("base_count", "稳岗就业基地数（个）"),
        ("base_employed", "基地吸纳就业人数"),
    )),
    ("补贴测算", "培训补贴测算", (
        ("subsidy_training_amount", "就业技能培训补贴（元）"),
        ("subsidy_living_amount", "生活费补贴（元）"),
        ("subsidy_capped_person_times", "达到上限人次"),
    )),
    ("有组织输送", "有组织输送情况", (
        ("transport_trips", "输送班次（个）"),
        ("transport_person_times", "输送人次"),
        ("transport_poverty_person_times", "其中：脱贫劳动力人次"),
        ("transport_to_work_trips", "返岗班次（个）"),
        ("transport_to_work_person_times", "返岗人次"),
        ("transport_home_trips", "返乡班次（个）"),
        ("transport_home_person_times", "返乡人次"),
    )),
    ("目标完成情况", "目标任务完成情况", (
        ("employed_target", "目标任务"),
        ("employed_persons", "帮助农村劳动力就业人数"),
        ("employed_target_rate", "目标完成率"),
    )),
    ("就业服务跟踪", "就业服务跟踪情况", (
        ("followup_due_persons", "应跟踪服务人数"),
        ("followup_recommend3_rate", "推介≥3个岗位完成率"),
        ("followup_visit_ontime_rate", "按期回访率"),
        ("followup_overdue_persons", "逾期未回访人数"),
    )),
)  # fmt: skip
