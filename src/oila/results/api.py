"""REST API v1 of the results framework: an indicator's figures for a period, with every
disaggregation. Aggregates only (no names, no PINFLs, no narratives); the programme's M&E officers
and managers get them, everyone else a 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oila.common.dates import today
from oila.results import engine, selectors


class CellSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="null: no data (empty denominator)")


class IndicatorResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=["count", "percentage"])
    outcome = serializers.CharField()
    output = serializers.CharField(allow_null=True)
    period = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    total = CellSerializer()
    breakdowns = serializers.DictField(child=CellSerializer(many=True))


def _cell(cell: engine.Cell) -> dict[str, Any]:
    return {"key": cell.key, "label": cell.label, "numerator": cell.numerator,
            "denominator": cell.denominator, "value": cell.value}  # fmt: skip


def _period(request: Request) -> engine.Period:
    year, quarter = request.query_params.get("year", ""), request.query_params.get("quarter", "")
    y = int(year) if year.isdigit() and 1990 <= int(year) <= 2100 else today().year
    if quarter in ("1", "2", "3", "4"):
        return engine.Period.of_quarter(y, int(quarter))
    return engine.Period.of_year(y)


class IndicatorResultsView(APIView):
    # Token first, so that a request without credentials gets 401 with WWW-Authenticate.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="results_indicators",
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, description="the year (this year by default)"
            ),
            OpenApiParameter("quarter", OpenApiTypes.INT, description="1–4 for one quarter"),
        ],
        responses=IndicatorResultSerializer(many=True),
    )
    def get(self, request: Request, slug: str) -> Response:
        """Every indicator of the programme for the period: total and disaggregations."""
        programme = selectors.programme_get(user=request.user, slug=slug)  # 404 out of scope
        period = _period(request)
        out = []
        for indicator in selectors.indicator_list(programme=programme):
            result = engine.compute(indicator, period)
            out.append(
                {
                    "code": indicator.code,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "outcome": indicator.outcome.code,
                    "output": indicator.output.code if indicator.output_id else None,
                    "period": period.label,
                    "baseline": engine.as_number(indicator.baseline_value),
                    "target": selectors.target_for(indicator, period),
                    "total": _cell(result.total),
                    "breakdowns": {
                        d: [_cell(c) for c in cells] for d, cells in result.breakdowns.items()
                    },
                }
            )
        return Response(IndicatorResultSerializer(out, many=True).data)
