"""Khorezm region: SOATO 1733, 11 districts and 2 cities (DOMAIN.md §5)."""

REGION = {
    "soato": "1733",
    "name_uz": "Xorazm viloyati",
    "name_uz_cyrl": "Хоразм вилояти",
    "name_ru": "Хорезмская область",
}

# (SOATO, Uzbek Latin, Uzbek Cyrillic, Russian, kind)
DISTRICTS = [
    ("1733204", "Bogʻot tumani", "Боғот тумани", "Багатский район", "district"),
    ("1733208", "Gurlan tumani", "Гурлан тумани", "Гурленский район", "district"),
    ("1733212", "Qoʻshkoʻpir tumani", "Қўшкўпир тумани", "Кошкупырский район", "district"),
    ("1733217", "Urganch tumani", "Урганч тумани", "Ургенчский район", "district"),
    ("1733220", "Xazorasp tumani", "Хазорасп тумани", "Хазараспский район", "district"),
    ("1733221", "Tuproqqalʼa tumani", "Тупроққалъа тумани", "Тупроккалинский район", "district"),
    ("1733223", "Xonqa tumani", "Хонқа тумани", "Ханкинский район", "district"),
    ("1733226", "Xiva tumani", "Хива тумани", "Хивинский район", "district"),
    ("1733230", "Shovot tumani", "Шовот тумани", "Шаватский район", "district"),
    ("1733233", "Yangiariq tumani", "Янгиариқ тумани", "Янгиарыкский район", "district"),
    ("1733236", "Yangibozor tumani", "Янгибозор тумани", "Янгибазарский район", "district"),
    ("1733401", "Urganch shahri", "Урганч шаҳри", "город Ургенч", "city"),
    ("1733406", "Xiva shahri", "Хива шаҳри", "город Хива", "city"),
]
