"""Fictional companies of the demo dataset and the construction permit categories.

``world`` turns each ``CompanySpec`` into a company with ids, an address and staff, and
wires the companies into the site trees in ``catalogue.SITES`` by their keys.
"""

from __future__ import annotations

from typing import NamedTuple

# 建設業許可の29業種 (construction permit categories) with the short forms used on
# permit certificates and in permit listings.
PERMIT_TRADES: dict[str, tuple[str, str]] = {
    "civil": ("土木一式工事業", "土"),
    "building": ("建築一式工事業", "建"),
    "carpentry": ("大工工事業", "大"),
    "plastering": ("左官工事業", "左"),
    "tobi_earthwork_concrete": ("とび・土工・コンクリート工事業", "と"),
    "stone": ("石工事業", "石"),
    "roofing": ("屋根工事業", "屋"),
    "electrical": ("電気工事業", "電"),
    "piping": ("管工事業", "管"),
    "tile_brick_block": ("タイル・れんが・ブロック工事業", "タ"),
    "steel_structure": ("鋼構造物工事業", "鋼"),
    "rebar": ("鉄筋工事業", "筋"),
    "paving": ("舗装工事業", "舗"),
    "dredging": ("しゅんせつ工事業", "しゅ"),
    "sheet_metal": ("板金工事業", "板"),
    "glass": ("ガラス工事業", "ガ"),
    "painting": ("塗装工事業", "塗"),
    "waterproofing": ("防水工事業", "防"),
    "interior_finishing": ("内装仕上工事業", "内"),
    "machinery_installation": ("機械器具設置工事業", "機"),
    "insulation": ("熱絶縁工事業", "絶"),
    "telecommunications": ("電気通信工事業", "通"),
    "landscaping": ("造園工事業", "園"),
    "well_drilling": ("さく井工事業", "井"),
    "fittings": ("建具工事業", "具"),
    "water_supply": ("水道施設工事業", "水"),
    "fire_protection": ("消防施設工事業", "消"),
    "cleaning_facilities": ("清掃施設工事業", "清"),
    "demolition": ("解体工事業", "解"),
}


class CompanySpec(NamedTuple):
    # role of the company in the demo world, which world.py uses to wire sites and trees
    key: str
    name: str
    name_kana: str
    # (issuer, kind, permit trade codes)
    permit: tuple[str, str, tuple[str, ...]] | None
    town: int  # index into catalogue.TOWNS for the office address
    trades: tuple[str, ...]  # CCUS trades of the company's workers
    # weight for random assignment, or a fixed head count for sole proprietors
    workers: int
    sole_proprietor: bool
    kentaikyo: bool  # whether the company has a 建退共 contractor number


# Order matters: Dataset.companies keeps it, and the outsider must come before the
# upcoming site's prime because Dataset.personas() picks the first unrelated company.
COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec(
        "live_prime",
        "株式会社湊川組",
        "カブシキガイシャミナトガワグミ",
        ("minister", "special", ("building", "civil")),
        31,
        ("earthwork", "tobi"),
        3,
        False,
        True,
    ),
    CompanySpec(
        "rebar_1",
        "株式会社相川鉄筋工業",
        "カブシキガイシャアイカワテッキンコウギョウ",
        ("東京都", "special", ("rebar",)),
        1,
        ("rebar",),
        10,
        False,
        True,
    ),
    CompanySpec(
        "formwork_1",
        "東和型枠株式会社",
        "トウワカタワクカブシキガイシャ",
        ("神奈川県", "general", ("carpentry",)),
        16,
        ("formwork",),
        10,
        False,
        True,
    ),
    CompanySpec(
        "tobi_1",
        "株式会社橘鳶工業",
        "カブシキガイシャタチバナトビコウギョウ",
        ("東京都", "special", ("tobi_earthwork_concrete",)),
        3,
        ("tobi", "earthwork"),
        10,
        False,
        True,
    ),
    CompanySpec(
        "electrical_1",
        "株式会社光明電設",
        "カブシキガイシャコウメイデンセツ",
        ("東京都", "general", ("electrical", "telecommunications")),
        8,
        ("electrical",),
        8,
        False,
        True,
    ),
    CompanySpec(
        "interior_1",
        "株式会社日栄内装",
        "カブシキガイシャニチエイナイソウ",
        ("埼玉県", "general", ("interior_finishing", "painting")),
        25,
        ("interior",),
        7,
        False,
        True,
    ),
    CompanySpec(
        "steel_1",
        "株式会社富士鉄骨",
        "カブシキガイシャフジテッコツ",
        ("千葉県", "general", ("steel_structure",)),
        19,
        ("steel_frame", "welding"),
        6,
        False,
        True,
    ),
    CompanySpec(
        "rebar_2",
        "株式会社浜田鉄筋",
        "カブシキガイシャハマダテッキン",
        ("千葉県", "general", ("rebar",)),
        20,
        ("rebar",),
        9,
        False,
        True,
    ),
    CompanySpec(
        "formwork_2",
        "株式会社三和型枠",
        "カブシキガイシャサンワカタワク",
        ("神奈川県", "general", ("carpentry",)),
        14,
        ("formwork",),
        8,
        False,
        True,
    ),
    CompanySpec(
        "earthwork_2",
        "株式会社大地興業",
        "カブシキガイシャダイチコウギョウ",
        ("埼玉県", "general", ("tobi_earthwork_concrete",)),
        27,
        ("earthwork",),
        8,
        False,
        True,
    ),
    CompanySpec(
        "tobi_solo", "内田鳶", "ウチダトビ", None, 5, ("tobi",), 1, True, False
    ),
    CompanySpec(
        "electrical_2",
        "有限会社北原電工",
        "ユウゲンガイシャキタハラデンコウ",
        ("東京都", "general", ("electrical",)),
        9,
        ("electrical",),
        5,
        False,
        True,
    ),
    CompanySpec(
        "painting_2",
        "森塗装",
        "モリトソウ",
        ("神奈川県", "general", ("painting",)),
        18,
        ("painting",),
        3,
        True,
        True,
    ),
    CompanySpec(
        "plastering_2",
        "石井左官",
        "イシイサカン",
        None,
        30,
        ("plastering",),
        4,
        True,
        False,
    ),
    CompanySpec(
        "welding_2",
        "有限会社丸山溶接",
        "ユウゲンガイシャマルヤマヨウセツ",
        ("千葉県", "general", ("steel_structure",)),
        22,
        ("welding",),
        4,
        False,
        True,
    ),
    CompanySpec(
        "past_prime",
        "株式会社北斗建設",
        "カブシキガイシャホクトケンセツ",
        ("minister", "special", ("building", "civil", "demolition")),
        32,
        ("earthwork",),
        3,
        False,
        True,
    ),
    CompanySpec(
        "past_rebar_1",
        "株式会社杉本鉄筋",
        "カブシキガイシャスギモトテッキン",
        ("神奈川県", "special", ("rebar",)),
        17,
        ("rebar",),
        6,
        False,
        True,
    ),
    CompanySpec(
        "outsider",
        "株式会社東雲設備",
        "カブシキガイシャシノノメセツビ",
        ("東京都", "general", ("piping", "water_supply")),
        6,
        ("plumbing",),
        5,
        False,
        True,
    ),
    CompanySpec(
        "upcoming_prime",
        "株式会社武蔵野建設",
        "カブシキガイシャムサシノケンセツ",
        ("埼玉県", "special", ("building",)),
        24,
        ("earthwork",),
        3,
        False,
        True,
    ),
)
