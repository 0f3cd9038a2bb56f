"""Person names for the demo dataset: Japanese names and foreign names in katakana.

Japanese names are (kanji, katakana, romaji) triples. Foreign names are (katakana,
romaji) pairs, because foreign workers are registered by katakana transliteration.
"""

from __future__ import annotations

from typing import NamedTuple

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
