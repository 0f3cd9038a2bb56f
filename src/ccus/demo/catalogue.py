"""Static catalogues for the demo dataset: names, places, trades, qualifications, holidays.

Every company, site and person built from these tables is fictional. The towns are real
and their postal codes were written from memory, so treat them as plausible rather than
authoritative. The chome-ban-go numbers are random.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Qualification(NamedTuple):
    code: str
    kind: str  # "licence", "skill_training", "special_education", "certified_skill" or "core_skilled_worker"
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
    ("grinding_wheel", "special_education", "研削といしの取替え等の業務に係る特別教育"),
    ("asbestos", "special_education", "石綿取扱い作業従事者特別教育"),
    ("oxygen_deficiency", "special_education", "酸素欠乏・硫化水素危険作業特別教育"),
    # 職長教育 is a safety-and-health education under article 60 of the Industrial Safety
    # and Health Act, not a 特別教育, but the schema has no closer kind for it.
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

    A worker reaches level 2 with 645 work days and every code in ``level2``. Level 3 needs
    1505 work days, 645 foreman days and every code in ``level2`` and ``level3``. Level 4
    needs 2150 work days, 645 foreman days and every code of the lower levels plus
    ``level4``. An empty ``level4`` means the catalogue has no core-skilled qualification for the trade,
    so the dataset caps the trade at level 3.
    """

    code: str
    name: str
    level2: tuple[str, ...]
    level3: tuple[str, ...]
    level4: tuple[str, ...]
    extras: tuple[
        tuple[str, float], ...
    ]  # (qualification code, probability) for optional courses
    related: str  # trade that workers of this trade often also practise
    special_checkup: (
        tuple[str, float] | None
    )  # (checkup kind, probability) for this trade


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

# 建設業許可の29業種 (construction permit categories) with the short forms used on permit
# certificates and in permit listings.
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
    key: str  # role of the company in the demo world, used by dataset.py to wire sites and trees
    name: str
    name_kana: str
    permit: (
        tuple[str, str, tuple[str, ...]] | None
    )  # (issuer, kind, permit trade codes)
    town: int  # index into TOWNS for the office address
    trades: tuple[str, ...]  # CCUS trades of the company's workers
    workers: (
        int  # weight for random assignment, or a fixed head count for sole proprietors
    )
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


class Town(NamedTuple):
    postal_code: str
    prefecture: str
    city: str
    town: str
    area_code: str  # landline area code, for company phone numbers


TOWNS: tuple[Town, ...] = (
    Town("135-0061", "東京都", "江東区", "豊洲", "03"),
    Town("136-0074", "東京都", "江東区", "東砂", "03"),
    Town("134-0088", "東京都", "江戸川区", "西葛西", "03"),
    Town("133-0056", "東京都", "江戸川区", "南小岩", "03"),
    Town("120-0034", "東京都", "足立区", "千住", "03"),
    Town("124-0012", "東京都", "葛飾区", "立石", "03"),
    Town("144-0052", "東京都", "大田区", "蒲田", "03"),
    Town("175-0094", "東京都", "板橋区", "成増", "03"),
    Town("177-0041", "東京都", "練馬区", "石神井町", "03"),
    Town("154-0024", "東京都", "世田谷区", "三軒茶屋", "03"),
    Town("192-0046", "東京都", "八王子市", "明神町", "042"),
    Town("194-0013", "東京都", "町田市", "原町田", "042"),
    Town("130-0013", "東京都", "墨田区", "錦糸", "03"),
    Town("230-0051", "神奈川県", "横浜市鶴見区", "鶴見中央", "045"),
    Town("222-0033", "神奈川県", "横浜市港北区", "新横浜", "045"),
    Town("210-0006", "神奈川県", "川崎市川崎区", "砂子", "044"),
    Town("211-0063", "神奈川県", "川崎市中原区", "小杉町", "044"),
    Town("252-0231", "神奈川県", "相模原市中央区", "相模原", "042"),
    Town("251-0052", "神奈川県", "藤沢市", "藤沢", "0466"),
    Town("273-0005", "千葉県", "船橋市", "本町", "047"),
    Town("272-0021", "千葉県", "市川市", "八幡", "047"),
    Town("271-0092", "千葉県", "松戸市", "松戸", "047"),
    Town("260-0015", "千葉県", "千葉市中央区", "富士見", "043"),
    Town("277-0005", "千葉県", "柏市", "柏", "04"),
    Town("330-0854", "埼玉県", "さいたま市大宮区", "桜木町", "048"),
    Town("332-0012", "埼玉県", "川口市", "本町", "048"),
    Town("343-0813", "埼玉県", "越谷市", "越ヶ谷", "048"),
    Town("340-0015", "埼玉県", "草加市", "高砂", "048"),
    Town("359-1123", "埼玉県", "所沢市", "日吉町", "04"),
    Town("350-1123", "埼玉県", "川越市", "脇田町", "049"),
    Town("279-0002", "千葉県", "浦安市", "北栄", "047"),
    Town("104-0032", "東京都", "中央区", "八丁堀", "03"),
    Town("108-0023", "東京都", "港区", "芝浦", "03"),
)

BUILDINGS = (
    "サンハイツ",
    "コーポ緑",
    "メゾン青葉",
    "ハイツ若葉",
    "グリーンコート",
    "パークサイド",
    "ライオンズマンション",
    "シティハイム",
    "ベルウッド",
    "フォーレスト",
)

# Family names as (kanji, katakana, romaji).
FAMILY_NAMES = (
    ("佐藤", "サトウ", "sato"),
    ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"),
    ("田中", "タナカ", "tanaka"),
    ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"),
    ("山本", "ヤマモト", "yamamoto"),
    ("中村", "ナカムラ", "nakamura"),
    ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"),
    ("吉田", "ヨシダ", "yoshida"),
    ("山田", "ヤマダ", "yamada"),
    ("佐々木", "ササキ", "sasaki"),
    ("山口", "ヤマグチ", "yamaguchi"),
    ("松本", "マツモト", "matsumoto"),
    ("井上", "イノウエ", "inoue"),
    ("木村", "キムラ", "kimura"),
    ("林", "ハヤシ", "hayashi"),
    ("斎藤", "サイトウ", "saito"),
    ("清水", "シミズ", "shimizu"),
    ("山崎", "ヤマザキ", "yamazaki"),
    ("森", "モリ", "mori"),
    ("池田", "イケダ", "ikeda"),
    ("橋本", "ハシモト", "hashimoto"),
    ("阿部", "アベ", "abe"),
    ("石川", "イシカワ", "ishikawa"),
    ("山下", "ヤマシタ", "yamashita"),
    ("中島", "ナカジマ", "nakajima"),
    ("石井", "イシイ", "ishii"),
    ("小川", "オガワ", "ogawa"),
    ("前田", "マエダ", "maeda"),
    ("岡田", "オカダ", "okada"),
    ("長谷川", "ハセガワ", "hasegawa"),
    ("藤田", "フジタ", "fujita"),
    ("後藤", "ゴトウ", "goto"),
    ("近藤", "コンドウ", "kondo"),
    ("村上", "ムラカミ", "murakami"),
    ("遠藤", "エンドウ", "endo"),
    ("青木", "アオキ", "aoki"),
    ("坂本", "サカモト", "sakamoto"),
    ("金子", "カネコ", "kaneko"),
    ("藤井", "フジイ", "fujii"),
    ("福田", "フクダ", "fukuda"),
    ("西村", "ニシムラ", "nishimura"),
    ("太田", "オオタ", "ota"),
    ("三浦", "ミウラ", "miura"),
    ("岡本", "オカモト", "okamoto"),
    ("松田", "マツダ", "matsuda"),
    ("中川", "ナカガワ", "nakagawa"),
    ("原田", "ハラダ", "harada"),
    ("内田", "ウチダ", "uchida"),
)

MALE_GIVEN_NAMES = (
    ("太郎", "タロウ", "taro"),
    ("健太", "ケンタ", "kenta"),
    ("翔太", "ショウタ", "shota"),
    ("大輔", "ダイスケ", "daisuke"),
    ("拓也", "タクヤ", "takuya"),
    ("誠", "マコト", "makoto"),
    ("浩", "ヒロシ", "hiroshi"),
    ("茂", "シゲル", "shigeru"),
    ("隆", "タカシ", "takashi"),
    ("勇", "イサム", "isamu"),
    ("正", "タダシ", "tadashi"),
    ("修", "オサム", "osamu"),
    ("和夫", "カズオ", "kazuo"),
    ("秀樹", "ヒデキ", "hideki"),
    ("直樹", "ナオキ", "naoki"),
    ("健一", "ケンイチ", "kenichi"),
    ("剛", "ツヨシ", "tsuyoshi"),
    ("亮", "リョウ", "ryo"),
    ("大樹", "ダイキ", "daiki"),
    ("蓮", "レン", "ren"),
    ("悠斗", "ユウト", "yuto"),
    ("颯太", "ソウタ", "sota"),
    ("達也", "タツヤ", "tatsuya"),
    ("和也", "カズヤ", "kazuya"),
    ("哲也", "テツヤ", "tetsuya"),
    ("博之", "ヒロユキ", "hiroyuki"),
    ("清", "キヨシ", "kiyoshi"),
    ("実", "ミノル", "minoru"),
    ("進", "ススム", "susumu"),
    ("豊", "ユタカ", "yutaka"),
)

FEMALE_GIVEN_NAMES = (
    ("花子", "ハナコ", "hanako"),
    ("美咲", "ミサキ", "misaki"),
    ("陽子", "ヨウコ", "yoko"),
    ("恵子", "ケイコ", "keiko"),
    ("由美", "ユミ", "yumi"),
    ("真由美", "マユミ", "mayumi"),
    ("直美", "ナオミ", "naomi"),
    ("裕子", "ユウコ", "yuko"),
    ("愛", "アイ", "ai"),
    ("彩", "アヤ", "aya"),
    ("千尋", "チヒロ", "chihiro"),
    ("さくら", "サクラ", "sakura"),
    ("明美", "アケミ", "akemi"),
    ("久美子", "クミコ", "kumiko"),
    ("幸子", "サチコ", "sachiko"),
    ("美穂", "ミホ", "miho"),
    ("智子", "トモコ", "tomoko"),
)


class ForeignNames(NamedTuple):
    """Katakana transliterations as (katakana, romaji) pairs for one nationality."""

    family: tuple[tuple[str, str], ...]
    male: tuple[tuple[str, str], ...]
    female: tuple[tuple[str, str], ...]
    middle: tuple[tuple[str, str], tuple[str, str]] | None  # (male, female) middle name
    home: str  # emergency-contact address in the home country
    dialling_code: str


FOREIGN_NAMES: dict[str, ForeignNames] = {
    "VN": ForeignNames(
        (
            ("グエン", "nguyen"),
            ("チャン", "tran"),
            ("レ", "le"),
            ("ファム", "pham"),
            ("ホアン", "hoang"),
            ("ブイ", "bui"),
            ("ドー", "do"),
            ("ヴー", "vu"),
            ("ダン", "dang"),
        ),
        (
            ("アン", "an"),
            ("ミン", "minh"),
            ("フン", "hung"),
            ("トゥアン", "tuan"),
            ("ズン", "dung"),
            ("ハイ", "hai"),
            ("ロン", "long"),
            ("クアン", "quang"),
            ("ナム", "nam"),
            ("ドゥック", "duc"),
        ),
        (
            ("ラン", "lan"),
            ("フオン", "phuong"),
            ("ハー", "ha"),
            ("リン", "linh"),
            ("トゥー", "thu"),
            ("マイ", "mai"),
        ),
        (("ヴァン", "van"), ("ティ", "thi")),
        "ベトナム社会主義共和国 ハノイ市",
        "+84",
    ),
    "PH": ForeignNames(
        (
            ("サントス", "santos"),
            ("レイエス", "reyes"),
            ("クルス", "cruz"),
            ("バウティスタ", "bautista"),
            ("ガルシア", "garcia"),
            ("メンドーサ", "mendoza"),
            ("ラモス", "ramos"),
        ),
        (
            ("ジョン", "john"),
            ("マーク", "mark"),
            ("ミゲル", "miguel"),
            ("ホセ", "jose"),
            ("ロメル", "romel"),
            ("ジェイソン", "jason"),
        ),
        (
            ("マリア", "maria"),
            ("アンジェリカ", "angelica"),
            ("クリスティン", "kristine"),
        ),
        None,
        "フィリピン共和国 マニラ市",
        "+63",
    ),
    "ID": ForeignNames(
        (
            ("プラタマ", "pratama"),
            ("サプトラ", "saputra"),
            ("サントソ", "santoso"),
            ("ハリヨノ", "haryono"),
            ("セティアワン", "setiawan"),
            ("ヌグロホ", "nugroho"),
        ),
        (
            ("アディ", "adi"),
            ("リズキ", "rizki"),
            ("ブディ", "budi"),
            ("アグス", "agus"),
            ("ダニ", "dani"),
            ("ファジャル", "fajar"),
        ),
        (("デウィ", "dewi"), ("シティ", "siti"), ("プトゥリ", "putri")),
        None,
        "インドネシア共和国 ジャカルタ特別州",
        "+62",
    ),
    "CN": ForeignNames(
        (
            ("ワン", "wang"),
            ("リー", "li"),
            ("チャン", "zhang"),
            ("リウ", "liu"),
            ("チェン", "chen"),
            ("ヤン", "yang"),
            ("ジャオ", "zhao"),
        ),
        (
            ("ウェイ", "wei"),
            ("ハオ", "hao"),
            ("ジュン", "jun"),
            ("レイ", "lei"),
            ("タオ", "tao"),
            ("ミン", "ming"),
        ),
        (("ファン", "fang"), ("ジン", "jing"), ("メイ", "mei")),
        None,
        "中華人民共和国 江蘇省南京市",
        "+86",
    ),
    "NP": ForeignNames(
        (
            ("グルン", "gurung"),
            ("タマン", "tamang"),
            ("シュレスタ", "shrestha"),
            ("ライ", "rai"),
            ("マガル", "magar"),
            ("タパ", "thapa"),
        ),
        (
            ("ラム", "ram"),
            ("ビシャル", "bishal"),
            ("スニル", "sunil"),
            ("プラカシュ", "prakash"),
            ("ラジ", "raj"),
            ("サンジブ", "sanjib"),
        ),
        (("シタ", "sita"), ("ギタ", "gita"), ("プジャ", "puja")),
        None,
        "ネパール連邦民主共和国 カトマンズ市",
        "+977",
    ),
}

# Relative weights of foreign nationalities: a rough estimate of the mix among foreign
# construction workers, in which Vietnamese workers are the largest group.
FOREIGN_NATIONALITY_WEIGHTS = (
    ("VN", 50),
    ("PH", 15),
    ("ID", 15),
    ("CN", 10),
    ("NP", 10),
)

AWARDS = (
    "優秀施工者国土交通大臣顕彰（建設マスター）",
    "安全優良職長厚生労働大臣顕彰",
    "都道府県知事表彰（優秀技能者）",
    "元請優良職長表彰",
    "無災害記録表彰",
)

# Japanese public holidays (国民の祝日, 振替休日 and 国民の休日) for 2026 and 2027.
# NOTE: the 2027 equinox days (3/21 and 9/23) come from the standard astronomical formula,
# not from the 暦要項 that the National Astronomical Observatory publishes each February.
HOLIDAYS: dict[date, str] = {
    date(2026, 1, 1): "元日",
    date(2026, 1, 12): "成人の日",
    date(2026, 2, 11): "建国記念の日",
    date(2026, 2, 23): "天皇誕生日",
    date(2026, 3, 20): "春分の日",
    date(2026, 4, 29): "昭和の日",
    date(2026, 5, 3): "憲法記念日",
    date(2026, 5, 4): "みどりの日",
    date(2026, 5, 5): "こどもの日",
    date(2026, 5, 6): "振替休日",
    date(2026, 7, 20): "海の日",
    date(2026, 8, 11): "山の日",
    date(2026, 9, 21): "敬老の日",
    date(2026, 9, 22): "国民の休日",
    date(2026, 9, 23): "秋分の日",
    date(2026, 10, 12): "スポーツの日",
    date(2026, 11, 3): "文化の日",
    date(2026, 11, 23): "勤労感謝の日",
    date(2027, 1, 1): "元日",
    date(2027, 1, 11): "成人の日",
    date(2027, 2, 11): "建国記念の日",
    date(2027, 2, 23): "天皇誕生日",
    date(2027, 3, 21): "春分の日",
    date(2027, 3, 22): "振替休日",
    date(2027, 4, 29): "昭和の日",
    date(2027, 5, 3): "憲法記念日",
    date(2027, 5, 4): "みどりの日",
    date(2027, 5, 5): "こどもの日",
    date(2027, 7, 19): "海の日",
    date(2027, 8, 11): "山の日",
    date(2027, 9, 20): "敬老の日",
    date(2027, 9, 23): "秋分の日",
    date(2027, 10, 11): "スポーツの日",
    date(2027, 11, 3): "文化の日",
    date(2027, 11, 23): "勤労感謝の日",
}
HOLIDAYS_FIRST = date(2026, 1, 1)
HOLIDAYS_LAST = date(2027, 12, 31)


class SiteSpec(NamedTuple):
    key: str  # "live", "ended" or "upcoming"
    name: str
    address: str
    orderer_name: str
    tree: tuple[
        tuple[str, str | None], ...
    ]  # (company key, parent company key), prime first


SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        "live",
        "(仮称)江東区豊洲三丁目計画 新築工事",
        "東京都江東区豊洲3丁目2番",
        "豊洲三丁目開発特定目的会社",
        (
            ("live_prime", None),
            ("rebar_1", "live_prime"),
            ("formwork_1", "live_prime"),
            ("tobi_1", "live_prime"),
            ("electrical_1", "live_prime"),
            ("interior_1", "live_prime"),
            ("steel_1", "live_prime"),
            ("rebar_2", "rebar_1"),
            ("formwork_2", "formwork_1"),
            ("earthwork_2", "tobi_1"),
            ("tobi_solo", "tobi_1"),
            ("electrical_2", "electrical_1"),
            ("painting_2", "interior_1"),
            ("plastering_2", "interior_1"),
            ("welding_2", "steel_1"),
        ),
    ),
    SiteSpec(
        "ended",
        "(仮称)川崎市中原区小杉町二丁目計画 新築工事",
        "神奈川県川崎市中原区小杉町2丁目",
        "小杉町二丁目地区市街地再開発組合",
        (
            ("past_prime", None),
            ("past_rebar_1", "past_prime"),
            ("formwork_1", "past_prime"),
            ("rebar_2", "past_rebar_1"),
            ("formwork_2", "formwork_1"),
        ),
    ),
    SiteSpec(
        "upcoming",
        "(仮称)さいたま市大宮区桜木町一丁目計画 新築工事",
        "埼玉県さいたま市大宮区桜木町1丁目",
        "埼玉県",
        (
            ("upcoming_prime", None),
            ("outsider", "upcoming_prime"),
            ("tobi_1", "upcoming_prime"),
            ("earthwork_2", "tobi_1"),
        ),
    ),
)
