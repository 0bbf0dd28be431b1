"""The custom GX expectation of the identity checks: a stated total equals the sum of its parts within its
tolerance, compared exactly.

No built-in expectation says it: `ExpectColumnPairValuesToBeEqual` allows no tolerance, and
`ExpectMulticolumnSumToEqual` compares every row's sum with one constant. Here each row is one identity of one
document (expectations.identities): the total as printed, the sum of the figures it should equal, and the
tolerance the printed unit allows (0.01 of the unit per term added). Amounts are Decimal yuan (or integers):
a float is never an exact amount, and a row holding one is unexpected.

Importing this module imports great_expectations (~5 s) and registers the expectation and its metric:
`expectations.gate` imports it when the first Gate is built.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation, _style_row_condition
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.util import parse_row_condition_string, substitute_none_for_missing

from expectations.printed_rules import within_tolerance

METRIC = "multicolumn_values.total_within_tolerance_of_parts"
ROLES = ("stated total", "sum of its parts", "tolerance")


class MulticolumnTotalWithinToleranceOfParts(MulticolumnMapMetricProvider):
    """Row by row: the first column (the stated total) is within the third (the tolerance) of the second (the
    sum of the parts)."""

    condition_metric_name = METRIC
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        total, parts, tolerance = (column_list.iloc[:, i] for i in range(len(ROLES)))
        held = [within_tolerance(*row) for row in zip(total, parts, tolerance, strict=True)]
        return pd.Series(held, index=column_list.index, dtype=bool)


class ExpectTotalToEqualSumOfPartsWithinTolerance(MulticolumnMapExpectation):
    """Expect each row's stated total to equal the sum of its parts within the row's tolerance, exactly.

    `column_list` names three columns, in this order: the stated total, the sum of its parts, the tolerance.
    """

    map_metric = METRIC
    success_keys = ("mostly",)
    args_keys = ("column_list",)
    library_metadata: ClassVar[dict[str, Any]] = {
        "maturity": "experimental",
        "tags": ["caijue", "multi-column expectation", "arithmetic identity"],
        "contributors": ["caijue"],
    }

    @pydantic.validator("column_list")
    def _three_columns(cls, column_list: list[str]) -> list[str]:
        if len(column_list) != len(ROLES):
            raise ValueError(f"column_list names {len(ROLES)} columns: {', '.join(ROLES)}")
        return column_list

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls,
        configuration: Any = None,
        result: Any = None,
        runtime_configuration: dict | None = None,
        **kwargs: Any,
    ) -> list[RenderedStringTemplateContent]:
        styling = (runtime_configuration or {}).get("styling")
        params = substitute_none_for_missing(
            configuration.kwargs if configuration else {}, ["column_list", "row_condition", "condition_parser"]
        )
        columns = list(params.get("column_list") or [])
        for index, column in enumerate(columns):
            params[f"column_list_{index}"] = column
        template = (
            "$column_list_0 (the stated total) must equal $column_list_1 (the sum of its parts) within"
            " $column_list_2, compared exactly."
            if len(columns) == len(ROLES)
            else "a stated total must equal the sum of its parts within its tolerance."
        )
        if params["row_condition"] is not None:
            condition = parse_row_condition_string(params["row_condition"])
            template, styling = _style_row_condition(condition, template[0].lower() + template[1:], params, styling)
        content = {"template": template, "params": params, "styling": styling}
        return [RenderedStringTemplateContent(content_block_type="string_template", string_template=content)]
