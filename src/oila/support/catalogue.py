"""The service catalogue shipped with oila: what a new programme starts with (then configures).

Names are data in every language (like the assessment instruments, ADR 0011): English, Uzbek (Latin)
and Russian are written here; Uzbek (Cyrillic) is derived from the Latin with the official table.
`write` takes the model class so that the data migration can pass its historical model.
"""

from __future__ import annotations

from typing import Any

from oila.common.script import latin_to_cyrillic

# (code, category, group-capable, unit, en, uz (Latin), ru)
SHIPPED: list[tuple[str, str, bool, str, str, str, str]] = [
    ("psychosocial_individual", "psychosocial", False, "session",
     "Psycho-social support (individual)", "Psixologik-ijtimoiy yordam (yakka tartibda)",
     "Психосоциальная поддержка (индивидуальная)"),
    ("psychosocial_group", "psychosocial", True, "session",
     "Psycho-social support (group)", "Psixologik-ijtimoiy yordam (guruhda)",
     "Психосоциальная поддержка (групповая)"),
    ("tutoring", "education", True, "hours",
     "Tutoring", "Qoʻshimcha dars (repetitorlik)", "Репетиторство"),
    ("school_supplies", "education", False, "items",
     "School supplies", "Maktab anjomlari", "Школьные принадлежности"),
    ("school_enrolment", "education", False, "session",
     "Support with school enrolment", "Maktabga qabul qilinishda yordam",
     "Помощь в зачислении в школу"),
    ("health_check", "health", False, "session",
     "Medical check-up", "Tibbiy koʻrik", "Медицинский осмотр"),
    ("health_treatment", "health", False, "session",
     "Medical treatment", "Davolanish", "Лечение"),
    ("legal_documents", "legal", False, "session",
     "Legal aid: documents", "Huquqiy yordam: hujjatlar", "Юридическая помощь: документы"),
    ("legal_guardianship", "legal", False, "session",
     "Legal aid: guardianship", "Huquqiy yordam: vasiylik", "Юридическая помощь: опека"),
    ("vocational_training_parents", "economic", True, "hours",
     "Vocational training for parents", "Ota-onalar uchun kasb-hunar taʼlimi",
     "Профессиональное обучение для родителей"),
    ("business_grant", "economic", False, "uzs",
     "Small-business grant", "Kichik biznes uchun grant", "Грант на малый бизнес"),
    ("cash_support", "economic", False, "uzs",
     "Cash support", "Pul koʻrinishidagi yordam", "Денежная помощь"),
    ("in_kind_support", "economic", False, "items",
     "In-kind support (food, clothes, household goods)",
     "Natura koʻrinishidagi yordam (oziq-ovqat, kiyim, roʻzgʻor buyumlari)",
     "Помощь в натуральной форме (продукты, одежда, предметы быта)"),
    ("parenting_skills", "parenting", True, "session",
     "Parenting skills", "Ota-onalik koʻnikmalari", "Навыки родительства"),
    ("day_care", "day_care", True, "session",
     "Day care", "Kunduzgi parvarish", "Дневной уход"),
]  # fmt: skip


def names(en: str, uz: str, ru: str) -> dict[str, str]:
    """A name in the four languages; Uzbek Cyrillic derived from Uzbek Latin."""
    return {"en": en, "uz": uz, "uz-cyrl": latin_to_cyrillic(uz), "ru": ru}


def write(programme_id: Any, *, service_type_model: Any) -> int:
    """Add the shipped service types a programme does not have yet (by code); returns how many."""
    have = set(
        service_type_model.objects.filter(programme_id=programme_id).values_list("code", flat=True)
    )
    rows = [
        service_type_model(
            programme_id=programme_id,
            code=code,
            category=category,
            is_group_capable=group,
            unit=unit,
            names=names(en, uz, ru),
            order=order,
        )
        for order, (code, category, group, unit, en, uz, ru) in enumerate(SHIPPED, start=1)
        if code not in have
    ]
    service_type_model.objects.bulk_create(rows)
    return len(rows)
