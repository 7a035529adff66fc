"""The tables the scale build loads, their columns, and the loader that sends them with COPY."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection

COLUMNS: dict[str, tuple[str, ...]] = {
    "registry_household": (
        "id", "created_at", "updated_at", "programme_id", "team_id", "caseworker_id",
        "external_id", "name", "kind", "district_id", "mahalla_id", "address", "phone",
        "income_sources", "state_benefits", "adults_employed", "monthly_income_uzs", "housing",
        "economic_notes", "search_text",
    ),
    "registry_person": (
        "id", "created_at", "updated_at", "programme_id", "team_id", "caseworker_id",
        "external_id", "given_name", "family_name", "patronymic", "name_script", "search_text",
        "fold_given", "fold_family", "fold_patronymic", "name_key", "sound_key", "merged_into_id",
        "sex", "birth_date", "birth_date_estimated", "wg_seeing", "wg_hearing", "wg_walking",
        "wg_cognition", "wg_selfcare", "wg_communication", "has_disability", "pinfl",
        "pinfl_hash", "phone",
    ),
    "registry_membership": (
        "id", "created_at", "updated_at", "household_id", "person_id", "relationship",
        "started_on", "ended_on",
    ),
    "registry_enrolment": (
        "id", "created_at", "updated_at", "programme_id", "person_id", "household_id", "group",
        "status", "enrolled_on", "ended_on",
    ),
    "registry_consent": (
        "id", "created_at", "updated_at", "person_id", "purpose", "given_by", "given_by_name",
        "child_assent", "given_on", "withdrawn_on", "note",
    ),
    "registry_carearrangement": (
        "id", "created_at", "updated_at", "person_id", "type", "started_on", "ended_on",
        "caregiver_household_id", "place", "next_review_on", "notes",
    ),
    "cases_case": (
        "id", "created_at", "updated_at", "programme_id", "team_id", "caseworker_id",
        "external_id", "number", "kind", "household_id", "subject_id", "risk", "status", "step",
        "identified_at", "opened_on", "closed_on", "closure_reason", "closure_note",
        "transferred_to_id", "assessment_due_at", "plan_due_on", "visit_due_on",
        "reassessment_due_on", "last_assessed_on", "plan_approved_on", "last_visit_on",
        "closure_requested_by_id", "closure_requested_on", "closure_goals_met",
    ),
    "cases_caseevent": (
        "id", "created_at", "updated_at", "case_id", "at", "actor_id", "kind", "message",
        "params", "url",
    ),
    "cases_visit": (
        "id", "created_at", "updated_at", "case_id", "on", "kind", "participants", "narrative",
        "next_steps", "recorded_by_id",
    ),
    "assessments_assessment": (
        "id", "created_at", "updated_at", "case_id", "instrument_id", "subject_id",
        "assessed_on", "assessor_id", "notes", "early_reason",
    ),
    "assessments_score": ("id", "created_at", "updated_at", "assessment_id", "item_id", "value"),
    "plans_plan": (
        "id", "created_at", "updated_at", "case_id", "version", "status", "review_on",
        "created_by_id", "submitted_by_id", "submitted_at", "decided_by_id", "decided_at",
        "decision_comment",
    ),
    "plans_goal": (
        "id", "created_at", "updated_at", "plan_id", "order", "text", "item_id", "person_id",
        "status",
    ),
    "plans_action": (
        "id", "created_at", "updated_at", "goal_id", "description", "responsible_user_id",
        "responsible_organisation_id", "due_on", "status",
    ),
    "support_servicedelivery": (
        "id", "created_at", "updated_at", "programme_id", "team_id", "caseworker_id",
        "external_id", "service_type_id", "kind", "case_id", "delivered_on", "provider_user_id",
        "provider_organisation_id", "duration_minutes", "quantity", "cost_uzs", "notes",
        "plan_action_id", "recorded_by_id",
    ),
    "support_deliveryattendance": (
        "id", "created_at", "updated_at", "delivery_id", "person_id", "attended",
    ),
    "support_referral": (
        "id", "created_at", "updated_at", "programme_id", "case_id", "person_id", "household_id",
        "service_type_id", "from_organisation_id", "to_organisation_id", "urgency", "reason",
        "response_due_on", "status", "consent_id", "override_reason", "override_by_id",
        "plan_action_id", "referred_by_id", "responded_at", "responded_by_id", "decline_reason",
        "reported_at", "reported_by_id", "feedback",
    ),
    "youth_youthtraining": (
        "id", "created_at", "updated_at", "programme_id", "person_id", "kind", "provider_id",
        "course", "starts_on", "ends_on", "completed", "completed_on", "certificate_number",
        "certificate_issued_on", "recorded_by_id",
    ),
    "youth_placement": (
        "id", "created_at", "updated_at", "programme_id", "person_id", "kind", "employer_id",
        "training_id", "position", "starts_on", "contract_type", "monthly_wage_uzs", "ended_on",
        "recorded_by_id",
    ),
    "youth_followup": (
        "id", "created_at", "updated_at", "placement_id", "month", "due_on", "done_on",
        "still_working", "monthly_wage_uzs", "note", "recorded_by_id",
    ),
    "training_specialist": (
        "id", "created_at", "updated_at", "person_id", "organisation_id", "position",
    ),
    "training_trainingevent": (
        "id", "created_at", "updated_at", "programme_id", "topic", "starts_on", "ends_on",
        "trainer_id", "trainer_name", "venue", "created_by_id",
    ),
    "training_trainingparticipation": (
        "id", "created_at", "updated_at", "event_id", "person_id", "attended", "pre_score",
        "post_score", "certificate_number", "certificate_issued_on",
    ),
}  # fmt: skip

COUNTED = {
    "registry_household": "households",
    "registry_person": "people",
    "registry_membership": "memberships",
    "registry_enrolment": "enrolments",
    "registry_consent": "consents",
    "registry_carearrangement": "care arrangements",
    "cases_case": "cases",
    "cases_caseevent": "case events",
    "cases_visit": "visits",
    "assessments_assessment": "assessments",
    "assessments_score": "scores",
    "plans_plan": "plans",
    "plans_goal": "goals",
    "plans_action": "actions",
    "support_servicedelivery": "service deliveries",
    "support_deliveryattendance": "attendances",
    "support_referral": "referrals",
    "youth_youthtraining": "youth trainings",
    "youth_placement": "job placements",
    "youth_followup": "follow-ups",
    "training_specialist": "specialists",
    "training_trainingevent": "training events",
    "training_trainingparticipation": "training participations",
}


class Loader:
    """Collects rows per table and sends them with COPY, in a second thread: PostgreSQL loads one
    chunk while Python makes the next (the connection is used by that thread alone meanwhile)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[str]] = {table: [] for table in COLUMNS}
        self.counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: Future[None] | None = None
        self._raw = connection.connection  # the psycopg connection of the open transaction

    def add(self, table: str, values: Iterable[str]) -> None:
        self.rows[table].append("\t".join(values))

    def _copy(self, batch: dict[str, list[str]]) -> None:
        with self._raw.cursor() as cursor:
            for table, rows in batch.items():
                columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for start in range(0, len(rows), 20_000):
                        copy.write("\n".join(rows[start : start + 20_000]) + "\n")

    def flush(self, *, wait: bool = False) -> None:
        self.wait()
        batch = {table: rows for table, rows in self.rows.items() if rows}
        for table, rows in batch.items():
            self.counts[table] += len(rows)
        self.rows = {table: [] for table in COLUMNS}
        self._pending = self._pool.submit(self._copy, batch)
        if wait:
            self.wait()

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        self.wait()
        self._pool.shutdown()


def _set_aside_indexes(cursor: Any) -> list[str]:
    """Drop the loaded tables' secondary indexes and foreign keys; return the statements that put
    them back. Building an index once over loaded rows is several times faster than keeping it up
    to date row by row, and a foreign key added afterwards is checked by one join, not per row
    (how pg_restore loads). Primary keys and unique constraints stay. It all happens in the build's
    transaction: the schema is the same afterwards, or nothing happened."""
    tables = list(COLUMNS)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2
        """,
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _definition in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in keys
    ]
