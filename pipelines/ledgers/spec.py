"""What each ledger kind contains: fields, types, required flags, allowed values.

One table drives header matching, normalisation, validation, templates and the raw
table layout, so a new column is added in one place (plus its Chinese header in zh.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pipelines import zh

FieldType = Literal[
    "name",
    "id",
    "text",
    "region",
    "region_any",
    "flag",
    "date",
    "int",
    "number",
    "choice",
    "year",
    "indicator",
]


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    choices: tuple[str, ...] | None = None
    # Whether any value may be typed (choices only offered as a drop-down).
    open_choices: bool = False

    def header(self, kind: str) -> str:
        return zh.HEADERS[kind][self.name][0]


KINDS = ("placements", "trainings", "workshops", "transports", "followups", "targets")
MONTHLY_KINDS = KINDS[:-1]  # targets come by year

FIELDS: dict[str, tuple[Field, ...]] = {
    "placements": (
        Field("name", "name", required=True),
        Field("id_number", "id", required=True),
        Field("origin_code", "region"),  # required, but derived from the ID when absent
        Field("is_poverty", "flag", required=True),
        Field("is_monitored", "flag"),
        Field("destination_category", "choice", required=True, choices=zh.DESTINATION_CATEGORIES),
        Field("destination_province", "text"),
        Field("destination_city", "text"),
        Field("employer", "text", required=True),
        Field("industry", "text"),
        Field("channel", "choice", choices=zh.CHANNELS),
        Field("employment_date", "date", required=True),
        Field("monthly_wage", "number"),
        Field("contract_months", "number"),
        Field("reporting_unit", "text"),
    ),
    "trainings": (
        Field("class_id", "text", required=True),
        Field("programme", "choice", required=True, choices=zh.PROGRAMMES, open_choices=True),
        Field("trade", "text"),
        Field("training_type", "choice", choices=zh.TRAINING_TYPES),
        Field("provider", "text", required=True),
        Field("training_region_code", "region"),
        Field("start_date", "date", required=True),
        Field("end_date", "date", required=True),
        Field("training_days", "int", required=True),
        Field("is_order_training", "flag"),
        Field("name", "name", required=True),
        Field("id_number", "id", required=True),
        Field("origin_code", "region"),
        Field("is_poverty", "flag", required=True),
        # who is owed follow-up services (DESIGN, "follow-ups"): 脱贫 or 监测对象 trainees
        Field("is_monitored", "flag"),
        Field("is_two_after", "flag"),
        Field("attendance_days", "number"),  # half days happen (2.5)
        Field("completed", "flag", required=True),
        Field("certificate", "choice", choices=zh.CERTIFICATES),
        Field("employed_after", "flag"),
        Field("employed_in_trade", "flag"),
        # 桂人社发〔2022〕7号: the subsidies depend on these (DESIGN, "Subsidies due")
        Field("is_project_based", "flag"),
        Field("signed_contract", "flag"),
        Field("contract_workshop_id", "text"),
    ),
    "workshops": (
        Field("workshop_id", "text", required=True),
        Field("workshop_name", "text", required=True),
        Field("location_code", "region", required=True),
        Field("resettlement_site", "text"),
        Field("workshop_type", "choice", choices=zh.WORKSHOP_TYPES),
        Field("main_industry", "text"),
        Field("aid_region", "text"),
        Field("recognised_date", "date"),
        Field("employed", "int", required=True),
        Field("poverty_employed", "int", required=True),
        Field("monitored_employed", "int"),
        Field("avg_monthly_wage", "number"),
    ),
    "transports": (
        Field("batch", "text"),
        Field("trip_id", "text", required=True),
        Field("transport_mode", "choice", required=True, choices=zh.TRANSPORT_MODES),
        Field("direction", "choice", required=True, choices=zh.TRANSPORT_DIRECTIONS),
        Field("departure_date", "date", required=True),
        Field("departure_code", "region", required=True),
        Field("destination_province", "text", required=True),
        Field("destination_city", "text"),
        Field("persons", "int", required=True),
        Field("poverty_persons", "int", required=True),
        Field("is_free", "flag"),
    ),
    "followups": (
        Field("id_number", "id", required=True),
        Field("name", "name", required=True),
        Field("origin_code", "region"),
        Field("service_type", "choice", required=True, choices=zh.SERVICE_TYPES),
        Field("service_date", "date", required=True),
        Field("recommend_unit", "text"),
        Field("recommend_post", "text"),
        Field("visit_result", "choice", choices=zh.VISIT_RESULTS),
        Field("class_id", "text"),
        Field("service_agency", "text", required=True),
    ),
    "targets": (
        Field("year", "year", required=True),
        Field("region_code", "region_any", required=True),
        Field("indicator", "indicator", required=True),
        Field("target_value", "number", required=True),
    ),
}

# Rows that are "the same record" within one reporting period: loaded once, repeats
# rejected as 重复记录. Placements follow DESIGN (person, employer, date); the others are
# the natural key of their grain.
DEDUP_KEYS: dict[str, tuple[str, ...]] = {
    "placements": ("person_key", "employer", "employment_date"),
    "trainings": ("class_id", "person_key"),
    "workshops": ("workshop_id",),
    "transports": ("trip_id",),
    "followups": ("person_key", "service_type", "service_date", "recommend_unit", "recommend_post"),
    "targets": ("year", "region_code", "indicator"),
}

# Subtotal columns ("其中 …") that may not exceed their total.
SUBTOTALS: dict[str, tuple[tuple[str, str], ...]] = {
    "workshops": (("poverty_employed", "employed"), ("monitored_employed", "employed")),
    "transports": (("poverty_persons", "persons"),),
}

# Columns required only for some values of another column: (field, when field, value).
REQUIRED_WHEN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "followups": (
        # a recommendation counts by its distinct (unit, post)
        ("recommend_unit", "service_type", "岗位推介"),
        ("recommend_post", "service_type", "岗位推介"),
        ("visit_result", "service_type", "就业回访"),
    ),
}

PERSON_KINDS = ("placements", "trainings", "followups")
# Person kinds whose raw table also keeps the masked ID and name (452123********1234,
# 张*): the data team's list of persons overdue for follow-up (DESIGN) names them so.
MASKED_KINDS = ("trainings", "followups")

# A reporting period: the folder a ledger sits in (targets: a year).
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^(\d{4})$")


def period_pattern(kind: str) -> re.Pattern:
    return YEAR if kind == "targets" else MONTH


# Columns a batch of files carries beside the fields (ledgers/process.py): the index of
# a row's file within the batch, and the sheet the row comes from.
BATCH_FILE, SHEET = "_file", "source_sheet"


def fields(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def field(kind: str, name: str) -> Field:
    return next(f for f in FIELDS[kind] if f.name == name)


def header(kind: str, name: str) -> str:
    return zh.HEADERS[kind][name][0]


_HEADER_JUNK = re.compile(r"[\s\u3000*＊:：]+")


def normalise_header(text: object) -> str:
    """Fold a header cell to a comparable key: NFKC (full-width → half-width), no spaces,
    line breaks, asterisks (required-field markers) or colons."""
    if text is None:
        return ""
    return _HEADER_JUNK.sub("", unicodedata.normalize("NFKC", str(text)))


@cache
def header_lookup(kind: str) -> dict[str, str]:
    """Normalised header variant → field name for one kind."""
    out: dict[str, str] = {}
    for name, variants in zh.HEADERS[kind].items():
        for v in variants:
            out[normalise_header(v)] = name
    return out
