"""CCUS trades, the qualifications that their skill levels require, and awards.

Worker careers in the demo dataset draw their qualifications and awards from these
tables, and the level rules in ``Trade`` decide which level each worker reaches.
"""

from __future__ import annotations

from typing import NamedTuple


class Qualification(NamedTuple):
    code: str
    # "licence", "skill_training", "special_education", "certified_skill" or
    # "core_skilled_worker"
    kind: str
    name: str


_QUALIFICATION_ROWS = (
    ("denki1", "licence", "第一種電気工事士"),
    ("denki2", "licence", "第二種電気工事士"),
    ("kenchiku_sekou2", "licence", "2級建築施工管理技士"),
    ("tamakake", "skill_training", "玉掛技能講習"),
    ("small_crane", "skill_training", "小型移動式クレーン運転技能講習"),
    ("scaffold_chief", "skill_training", "足場の組立て等作業主任者技能講習"),
    (
        "vehicle_earthmoving",
        "skill_training",
        "車両系建設機械（整地・運搬・積込み用及び掘削用）運転技能講習",
    ),
    ("aerial_platform", "skill_training", "高所作業車運転技能講習"),
    ("gas_welding", "skill_training", "ガス溶接技能講習"),
    (
        "formwork_support_chief",
        "skill_training",
        "型枠支保工の組立て等作業主任者技能講習",
    ),
    (
        "excavation_chief",
        "skill_training",
        "地山の掘削及び土止め支保工作業主任者技能講習",
    ),
    ("organic_solvent_chief", "skill_training", "有機溶剤作業主任者技能講習"),
    (
        "steel_erection_chief",
        "skill_training",
        "建築物等の鉄骨の組立て等作業主任者技能講習",
    ),
    ("full_harness", "special_education", "フルハーネス型墜落制止用器具特別教育"),
    ("low_voltage", "special_education", "低圧電気取扱業務特別教育"),
    ("arc_welding", "special_education", "アーク溶接等の業務に係る特別教育"),
    (
        "grinding_wheel",
        "special_education",
        "研削といしの取替え等の業務に係る特別教育",
    ),
    ("asbestos", "special_education", "石綿取扱い作業従事者特別教育"),
    ("oxygen_deficiency", "special_education", "酸素欠乏・硫化水素危険作業特別教育"),
    # 職長教育 is a safety-and-health education under article 60 of the Industrial
    # Safety and Health Act, not a 特別教育, but the schema has no closer kind for it.
    ("shokucho", "special_education", "職長・安全衛生責任者教育"),
    ("rebar_1", "certified_skill", "1級鉄筋施工技能士"),
    ("rebar_2", "certified_skill", "2級鉄筋施工技能士"),
    ("formwork_1", "certified_skill", "1級型枠施工技能士"),
    ("formwork_2", "certified_skill", "2級型枠施工技能士"),
    ("tobi_1", "certified_skill", "1級とび技能士"),
    ("tobi_2", "certified_skill", "2級とび技能士"),
    ("piping_1", "certified_skill", "1級配管技能士"),
    ("piping_2", "certified_skill", "2級配管技能士"),
    ("interior_1", "certified_skill", "1級内装仕上げ施工技能士"),
    ("interior_2", "certified_skill", "2級内装仕上げ施工技能士"),
    ("plastering_1", "certified_skill", "1級左官技能士"),
    ("plastering_2", "certified_skill", "2級左官技能士"),
    ("painting_1", "certified_skill", "1級建築塗装技能士"),
    ("painting_2", "certified_skill", "2級建築塗装技能士"),
    ("ironwork_1", "certified_skill", "1級鉄工技能士"),
    ("jis_welding_basic", "certified_skill", "JIS溶接技能者（手溶接 基本級）"),
    ("jis_welding_pro", "certified_skill", "JIS溶接技能者（手溶接 専門級）"),
    ("core_rebar", "core_skilled_worker", "登録鉄筋基幹技能者"),
    ("core_formwork", "core_skilled_worker", "登録型枠基幹技能者"),
    ("core_tobi", "core_skilled_worker", "登録鳶・土工基幹技能者"),
    ("core_electrical", "core_skilled_worker", "登録電気工事基幹技能者"),
    ("core_piping", "core_skilled_worker", "登録配管基幹技能者"),
    ("core_interior", "core_skilled_worker", "登録内装仕上工事基幹技能者"),
    ("core_plastering", "core_skilled_worker", "登録左官基幹技能者"),
    ("core_painting", "core_skilled_worker", "登録建設塗装基幹技能者"),
    ("core_steel", "core_skilled_worker", "登録鉄骨基幹技能者"),
)

QUALIFICATIONS: dict[str, Qualification] = {
    row[0]: Qualification(*row) for row in _QUALIFICATION_ROWS
}


class Trade(NamedTuple):
    """A CCUS trade with the qualifications that its skill-level evaluation requires.

    A worker reaches level 2 with 645 work days and every code in ``level2``. Level 3
    needs 1505 work days, 645 foreman days and every code in ``level2`` and ``level3``.
    Level 4 needs 2150 work days, 645 foreman days and every code of the lower levels
    plus ``level4``. An empty ``level4`` means the catalogue has no core-skilled
    qualification for the trade, so the dataset caps the trade at level 3.
    """

    code: str
    name: str
    level2: tuple[str, ...]
    level3: tuple[str, ...]
    level4: tuple[str, ...]
    # (qualification code, probability) for optional courses
    extras: tuple[tuple[str, float], ...]
    related: str  # trade that workers of this trade often also practise
    # (checkup kind, probability) for this trade
    special_checkup: tuple[str, float] | None


TRADES: dict[str, Trade] = {
    trade.code: trade
    for trade in (
        Trade(
            "rebar",
            "鉄筋工",
            ("tamakake",),
            ("rebar_1", "shokucho"),
            ("core_rebar",),
            (
                ("full_harness", 0.9),
                ("small_crane", 0.3),
                ("gas_welding", 0.2),
                ("rebar_2", 0.3),
            ),
            "earthwork",
            None,
        ),
        Trade(
            "formwork",
            "型枠工",
            ("formwork_2",),
            ("formwork_1", "formwork_support_chief", "shokucho"),
            ("core_formwork",),
            (("full_harness", 0.9), ("tamakake", 0.3)),
            "earthwork",
            None,
        ),
        Trade(
            "tobi",
            "とび工",
            ("tobi_2", "tamakake"),
            ("tobi_1", "scaffold_chief", "shokucho"),
            ("core_tobi",),
            (("full_harness", 1.0), ("small_crane", 0.4), ("aerial_platform", 0.3)),
            "earthwork",
            None,
        ),
        Trade(
            "earthwork",
            "土工",
            ("vehicle_earthmoving",),
            ("excavation_chief", "shokucho"),
            ("core_tobi",),
            (("tamakake", 0.4), ("small_crane", 0.2), ("full_harness", 0.5)),
            "tobi",
            ("じん肺健康診断", 0.3),
        ),
        Trade(
            "electrical",
            "電工",
            ("denki2",),
            ("denki1", "shokucho"),
            ("core_electrical",),
            (("low_voltage", 0.9), ("aerial_platform", 0.5), ("full_harness", 0.6)),
            "plumbing",
            None,
        ),
        Trade(
            "plumbing",
            "配管工",
            ("piping_2",),
            ("piping_1", "shokucho"),
            ("core_piping",),
            (("gas_welding", 0.3), ("oxygen_deficiency", 0.2), ("full_harness", 0.5)),
            "electrical",
            None,
        ),
        Trade(
            "interior",
            "内装仕上工",
            ("interior_2",),
            ("interior_1", "shokucho"),
            ("core_interior",),
            (("asbestos", 0.3), ("full_harness", 0.4), ("aerial_platform", 0.3)),
            "painting",
            ("石綿健康診断", 0.2),
        ),
        Trade(
            "plastering",
            "左官",
            ("plastering_2",),
            ("plastering_1", "shokucho"),
            ("core_plastering",),
            (("full_harness", 0.4),),
            "interior",
            ("じん肺健康診断", 0.4),
        ),
        Trade(
            "painting",
            "塗装工",
            ("painting_2",),
            ("painting_1", "organic_solvent_chief", "shokucho"),
            ("core_painting",),
            (("full_harness", 0.6), ("aerial_platform", 0.4)),
            "interior",
            ("有機溶剤健康診断", 0.8),
        ),
        Trade(
            "welding",
            "溶接工",
            ("arc_welding", "jis_welding_basic"),
            ("jis_welding_pro", "shokucho"),
            (),
            (("full_harness", 0.6), ("grinding_wheel", 0.7), ("gas_welding", 0.5)),
            "steel_frame",
            ("じん肺健康診断", 0.7),
        ),
        Trade(
            "steel_frame",
            "鉄骨工",
            ("tamakake", "full_harness"),
            ("steel_erection_chief", "ironwork_1", "shokucho"),
            ("core_steel",),
            (("small_crane", 0.4), ("arc_welding", 0.4), ("grinding_wheel", 0.3)),
            "welding",
            None,
        ),
    )
}

AWARDS = (
    "優秀施工者国土交通大臣顕彰（建設マスター）",
    "安全優良職長厚生労働大臣顕彰",
    "都道府県知事表彰（優秀技能者）",
    "元請優良職長表彰",
    "無災害記録表彰",
)
