"""Search keys computed once per write: full pinyin, initials, phone tail.

Surnames are read as surnames: polyphonic characters take their surname reading
(单 shan, 曾 zeng, 区 ou, 仇 qiu, 解 xie …) and compound surnames are kept whole.
Because people do not always know the surname reading (or a given name's reading),
:func:`name_variants` also yields the other plausible readings, so either one matches.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

#: Surname readings that differ from a character's most common reading.
SURNAME_READINGS: dict[str, list[str]] = {
    "单": ["shan"], "曾": ["zeng"], "区": ["ou"], "仇": ["qiu"], "解": ["xie"],
    "查": ["zha"], "盖": ["ge"], "朴": ["piao"], "乐": ["yue"], "缪": ["miao"],
    "翟": ["zhai"], "覃": ["qin"], "召": ["shao"], "繁": ["po"], "种": ["chong"],
    "秘": ["bi"], "员": ["yun"], "尉": ["yu"], "牟": ["mu"], "能": ["nai"],
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "宿": ["su"], "沈": ["shen"], "薄": ["bo"],
    "柏": ["bai"], "纪": ["ji"], "折": ["she"], "冼": ["xian"], "句": ["gou"],
    "单于": ["chan", "yu"], "澹台": ["tan", "tai"], "令狐": ["ling", "hu"],
    "曲": ["qu"], "华": ["hua"], "燕": ["yan"], "藏": ["zang"], "阚": ["kan"],
}
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "长孙", "慕容",
    "司徒", "夏侯", "万俟", "令狐", "宇文", "轩辕", "端木", "百里", "呼延", "南宫",
    "单于", "澹台", "西门", "闻人", "独孤", "申屠", "太史", "钟离", "拓跋", "司空",
)
#: At most this many readings of one name are indexed (polyphonic names multiply).
MAX_VARIANTS = 6
#: At most this many readings of one given-name character.
MAX_CHAR_READINGS = 2

#: Every toneless pinyin syllable (from pypinyin's table; ü written v), to split what
#: was typed in full pinyin and initials mixed ("wangxl").
SYLLABLES = frozenset("""
    a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo
    bong bu ca cai can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng
    chi chong chou chu chua chuai chuan chuang chui chun chuo ci cong cou cu cuan cui
    cun cuo da dai dan dang dao de dei den deng di dia dian diao die din ding diu dong
    dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fiao fo fou fu ga
    gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai
    han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian
    jiang jiao jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken
    keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei len leng
    li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve ma mai
    man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang
    nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan nun nuo
    nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi
    qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng
    ri rong rou ru rua ruan rui run ruo sa sai san sang sao se sen seng sha shai shan
    shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
    si song sou su suan sui sun suo ta tai tan tang tao te tei teng ti tian tiao tie
    ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu xi xia
    xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin
    ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan
    zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun
    zhuo zi zong zou zu zuan zui zun zuo
""".split())

_TONE_DIGIT = re.compile(r"(?<=[a-zü])[1-5]")


@cache
def _pypinyin() -> tuple[Callable[..., list[str]], Callable[..., list[list[str]]], Any]:
    from pypinyin import Style, lazy_pinyin, pinyin  # lazy: its tables cost start-up time

    return lazy_pinyin, pinyin, Style


def _lazy(text: str) -> list[str]:
    return list(_lazy_cached(text))


@lru_cache(maxsize=65536)
def _lazy_cached(text: str) -> tuple[str, ...]:
    lazy, _, style = _pypinyin()
    return tuple(s.lower() for s in lazy(text, style=style.NORMAL, v_to_u=False))


@lru_cache(maxsize=16384)
def _readings(char: str) -> tuple[str, ...]:
    """Every toneless reading pypinyin knows for one character, commonest first."""
    _, pinyin, style = _pypinyin()
    found = pinyin(char, style=style.NORMAL, heteronym=True, v_to_u=False)
    return tuple(s.lower() for s in found[0]) if found else (char,)


def phrase_syllables(text: str) -> list[str]:
    """Toneless pinyin of a phrase (not a name), one item per character or Latin run."""
    return [s for s in _lazy(text) if s.strip()]


def split_surname(name: str) -> tuple[str, str]:
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound, name[len(compound):]
    return name[:1], name[1:]


def is_han(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def name_syllables(name: str) -> list[str]:
    """Pinyin syllables of a personal name, surname read as a surname."""
    name = name.strip()
    if not name:
        return []
    surname, given = split_surname(name)
    head = SURNAME_READINGS.get(surname) or _lazy(surname)
    return [s for s in [*head, *_lazy(given)] if s.strip()]


def _surname_options(surname: str) -> list[list[str]]:
    """The surname reading first, then the everyday reading people may type instead."""
    special = SURNAME_READINGS.get(surname)
    common = _lazy(surname)
    return [special, common] if special and special != common else [special or common]


def _given_options(given: str) -> list[list[str]]:
    """Per character of the given name: the in-context reading, then other readings."""
    primary = _lazy(given) if given else []
    options: list[list[str]] = []
    for char, first in zip(given, primary, strict=False):
        others = [r for r in _readings(char) if r != first] if is_han(char) else []
        options.append([first, *others][:MAX_CHAR_READINGS])
    return options


def name_variants(name: str) -> list[list[str]]:
    """Readings of a name as syllable lists; the first is the proper (surname) reading."""
    name = name.strip()
    if not name:
        return []
    surname, given = split_surname(name)
    choices: list[list[list[str]]] = [_surname_options(surname)]
    choices += [[[r] for r in opts] for opts in _given_options(given)]
    out: list[list[str]] = []
    for combo in itertools.islice(itertools.product(*choices), 64):
        syllables = [s for part in combo for s in part if s.strip()]
        if syllables not in out:
            out.append(syllables)
        if len(out) >= MAX_VARIANTS:
            break
    return [*out, *_u_spellings(out)][:MAX_VARIANTS + 2]


def _u_spellings(variants: list[list[str]]) -> list[list[str]]:
    """吕 is ``lv`` in pypinyin, but many people type ``lu``: index both."""
    extra = []
    for v in variants[:1]:
        alt = [s.replace("v", "u") for s in v]
        if alt != v:
            extra.append(alt)
    return extra


def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin without tones, initials) for a Chinese personal name."""
    syllables = name_syllables(name)
    return "".join(syllables), "".join(s[0] for s in syllables)


def phone_tail(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def normalise_latin(text: str) -> str:
    """Typed pinyin to index form: lowercase, tone marks and tone digits removed, ü → v."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ü", "v").replace("u:", "v")
    text = _TONE_DIGIT.sub("", text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def segment(typed: str) -> list[str]:
    """Split typed letters into syllables, longest first; a letter that starts no
    syllable stands for an initial: ``wangxl`` -> ``["wang", "x", "l"]``."""
    parts: list[str] = []
    i = 0
    while i < len(typed):
        for n in range(min(6, len(typed) - i), 0, -1):
            piece = typed[i:i + n]
            if n == 1 or piece in SYLLABLES:
                parts.append(piece)
                i += n
                break
    return parts
