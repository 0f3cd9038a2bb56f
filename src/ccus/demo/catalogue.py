"""Static catalogues for the demo dataset: towns, buildings, holidays and sites.

The company catalogue is in ``companies``, person names in ``names`` and trades with
their qualifications in ``qualifications``. Every company, site and person built from
these tables is fictional. The towns are real and their postal codes were written from
memory, so treat them as plausible rather than authoritative. The chome-ban-go numbers
are random.
"""

from __future__ import annotations

from typing import NamedTuple

# Re-exported: the demo calendar is the registry's holiday calendar.
from ccus.holidays import HOLIDAYS as HOLIDAYS
from ccus.holidays import HOLIDAYS_FIRST as HOLIDAYS_FIRST
from ccus.holidays import HOLIDAYS_LAST as HOLIDAYS_LAST


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


class SiteSpec(NamedTuple):
    key: str  # "live", "ended" or "upcoming"
    name: str
    address: str
    orderer_name: str
    # (company key, parent company key), prime first
    tree: tuple[tuple[str, str | None], ...]


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
