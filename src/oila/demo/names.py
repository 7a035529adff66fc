"""Uzbek names and places for the synthetic Khorezm programme (DOMAIN.md §5).

Hand-written in official Uzbek Latin (oʻ and gʻ with U+02BB, the tutuq belgisi ʼ with U+02BC); the
Cyrillic forms are derived with oila.common.script.latin_to_cyrillic, and the demo tests check that
every name survives the official Cyrillic → Latin table unchanged.

Surnames are Russian-style and written in their masculine form; the feminine adds -a
(Karimov/Karimova, Aliyev/Aliyeva). Patronymics are either Uzbek ("Sherzod oʻgʻli", "Sherzod qizi")
or Russian-style ("Sherzodovich", "Sherzodovna").
"""

from __future__ import annotations

from oila.common.script import latin_to_cyrillic

FEMALE_NAMES = [
    "Shahnoza", "Dilnoza", "Nilufar", "Gulnora", "Malika", "Madina", "Zarina", "Mohira", "Sevara",
    "Nodira", "Feruza", "Dildora", "Gulchehra", "Mohinur", "Oysha", "Muxlisa", "Sarvinoz",
    "Shahzoda", "Nargiza", "Dilfuza", "Zebo", "Munisa", "Maftuna", "Gulshan", "Hilola", "Nasiba",
    "Yulduz", "Barno", "Ozoda", "Komila", "Laylo", "Robiya", "Sabina", "Xurshida", "Mahliyo",
    "Zulfiya", "Dilorom", "Gavhar", "Umida", "Shoira", "Marjona", "Sitora", "Charos", "Durdona",
    "Oygul", "Gulbahor", "Nozima", "Iroda", "Jamila", "Sayyora", "Zuhra", "Mavluda", "Muazzam",
    "Bahora", "Oydin", "Nigora", "Saodat", "Hulkar", "Shirin", "Rayhona",
]  # fmt: skip

MALE_NAMES = [
    "Sherzod", "Dilshod", "Jasur", "Bekzod", "Sardor", "Otabek", "Ulugʻbek", "Jahongir", "Bobur",
    "Doston", "Sanjar", "Xurshid", "Farrux", "Shohrux", "Ravshan", "Rustam", "Bahodir", "Ilhom",
    "Anvar", "Akmal", "Azamat", "Aziz", "Alisher", "Javlon", "Mansur", "Nodir", "Odil", "Oybek",
    "Qahramon", "Rahim", "Salim", "Sobir", "Temur", "Tohir", "Umid", "Yusuf", "Zafar", "Abbos",
    "Asilbek", "Ibrohim", "Islom", "Muhammad", "Sarvar", "Shavkat", "Shuhrat", "Hasan", "Husan",
    "Hamid", "Jamshid", "Komil", "Nurbek", "Erkin", "Elyor", "Farhod", "Gʻayrat", "Ikrom",
    "Laziz", "Mahmud", "Ozod", "Poʻlat", "Rasul", "Toʻlqin", "Quvonch", "Maʼruf", "Ogʻabek",
]  # fmt: skip

# Masculine forms; Khorezm has many -berganov, -jonov and -yozov names.
SURNAMES = [
    "Karimov", "Yusupov", "Rahimov", "Qurbonov", "Sobirov", "Xudoyberganov", "Masharipov",
    "Bekchanov", "Roʻzmetov", "Otajonov", "Jumaniyozov", "Matkarimov", "Sapayev", "Quryozov",
    "Ollaberganov", "Abdullayev", "Davletov", "Ismoilov", "Jabbarov", "Kalandarov", "Madrahimov",
    "Egamberganov", "Yoqubov", "Bobojonov", "Xoliqov", "Ibragimov", "Sadullayev", "Polvonov",
    "Matchanov", "Atayev", "Aminov", "Sharipov", "Nurmetov", "Otaboyev", "Rajabov",
    "Xudoyberdiyev", "Eshchanov", "Matyoqubov", "Aliyev", "Ergashev", "Saidov", "Yoqubjonov",
    "Safarov", "Hamroyev", "Ruzimov", "Allayarov", "Boltayev", "Sultonov",
]  # fmt: skip

# Mahalla (MFY) names, common across the region.
MAHALLAS = [
    "Navroʻz", "Mustaqillik", "Bogʻishamol", "Guliston", "Doʻstlik", "Istiqlol", "Yangi hayot",
    "Obod", "Tinchlik", "Paxtakor", "Bunyodkor", "Nurafshon", "Yoshlik", "Mehnatobod", "Birlik",
    "Ulugʻbek", "Beruniy", "Ogahiy", "Pahlavon Mahmud", "Gulobod", "Madaniyat", "Qiyot", "Chinobod",
    "Olmazor", "Sanoatchi", "Bogʻbon", "Gʻalaba", "Oltinkoʻl", "Ishonch", "Farovon",
]  # fmt: skip

STREETS = [
    "Mustaqillik", "Al-Xorazmiy", "Ogahiy", "Pahlavon Mahmud", "Beruniy", "Navoiy", "Amir Temur",
    "Bobur", "Gulshan", "Bogʻbon", "Paxtakor", "Doʻstlik", "Yoshlar", "Istiqlol", "Tinchlik",
    "Xonqa", "Shovot", "Nurafshon",
]  # fmt: skip

# Russian-style Cyrillic writes the Uzbek letters without their marks: Шахноза, Кушкупир.
_RUSSIAN_STYLE = str.maketrans("ҲҳҚқҒғЎў", "ХхКкГгУу")


def feminine(surname: str) -> str:
    """Karimov → Karimova, Aliyev → Aliyeva."""
    return surname + "a"


def surname_for(surname: str, sex: str) -> str:
    return feminine(surname) if sex == "female" else surname


def patronymic(father: str, sex: str, *, style: str) -> str:
    """'Sherzod oʻgʻli' / 'Sherzod qizi' (uzbek) or 'Sherzodovich' / 'Sherzodovna' (russian)."""
    if style == "uzbek":
        return f"{father} {'qizi' if sex == 'female' else 'oʻgʻli'}"
    if style == "russian":
        stem = father.replace("ʻ", "").replace("ʼ", "")
        stem += "yev" if stem[-1] in "aeiou" else "ov"
        return stem + ("na" if sex == "female" else "ich")
    return ""


def to_cyrillic(text: str, *, russian_style: bool = False) -> str:
    """The Uzbek Cyrillic spelling; Russian-style drops the Uzbek letters (ҳ → х, қ → к, ғ → г, ў → у)."""
    cyrillic = latin_to_cyrillic(text)
    return cyrillic.translate(_RUSSIAN_STYLE) if russian_style else cyrillic


def written(text: str, *, script: str, upper: bool = False) -> str:
    """A Latin name as a clerk would have entered it: 'latn', 'cyrl' or 'cyrl-ru', maybe in capitals."""
    if script == "cyrl":
        text = to_cyrillic(text)
    elif script == "cyrl-ru":
        text = to_cyrillic(text, russian_style=True)
    return text.upper() if upper else text
