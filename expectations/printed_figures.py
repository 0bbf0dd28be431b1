"""The custom GX expectations of the document checks: a printed figure is held to its rule (expectations.printed_rules
states each rule once, exact Decimal), computed by GX row by row from the frame's columns.

- ExpectPrintedFigureToCopyItsSourceWithinRounding: the figure as printed, its unit, the table figure it copies and
  that figure's own allowance — equal within the larger of the allowance and half a unit of the printed figure's
  last digit (万元 with one or two decimals, 亿元, 元).
- ExpectPrintedPercentageToLieWithinItsRange: the percentage as printed, its unit (%), and the (low, high) ranges
  the figures it divides allow — within one unit of its last digit of one of them.

No built-in expectation says either: both read the printed figure's precision from its digits. A row whose
columns are missing belongs to another rule (the suite sets `ignore_row_if="any_value_is_missing"`).

Importing this module imports great_expectations (~5 s) and registers the expectations and their metrics:
`expectations.suites` imports it when the first Gate is built.
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

from expectations.printed_rules import copies_within_rounding, percentage_within

ROUNDING_METRIC = "multicolumn_values.printed_figure_copies_source_within_rounding"
ROUNDING_ROLES = ("printed figure", "its unit", "the table figure it copies", "that figure's allowance")
PERCENTAGE_METRIC = "multicolumn_values.printed_percentage_within_range"
PERCENTAGE_ROLES = ("printed percentage", "its unit", "the ranges its figures allow")
DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
LIBRARY_METADATA: dict[str, Any] = {
    "maturity": "experimental",
    "tags": ["caijue", "multi-column expectation", "printed figure", "rounding"],
    "contributors": ["caijue"],
}


def _rows(column_list: pd.DataFrame, roles: int) -> zip:
    return zip(*(column_list.iloc[:, i] for i in range(roles)), strict=True)


class MulticolumnPrintedFigureCopiesSource(MulticolumnMapMetricProvider):
    """Row by row: the rounding rule over (printed, unit, source yuan, source allowance yuan)."""

    condition_metric_name = ROUNDING_METRIC
    condition_domain_keys = DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        held = [copies_within_rounding(*row) for row in _rows(column_list, len(ROUNDING_ROLES))]
        return pd.Series(held, index=column_list.index, dtype=bool)


class MulticolumnPrintedPercentageWithinRange(MulticolumnMapMetricProvider):
    """Row by row: the percentage rule over (printed, unit, allowed ranges)."""

    condition_metric_name = PERCENTAGE_METRIC
    condition_domain_keys = DOMAIN_KEYS

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        held = [percentage_within(*row) for row in _rows(column_list, len(PERCENTAGE_ROLES))]
        return pd.Series(held, index=column_list.index, dtype=bool)


def _checked_roles(column_list: list[str], roles: tuple[str, ...]) -> list[str]:
    if len(column_list) != len(roles):
        raise ValueError(f"column_list names {len(roles)} columns: {', '.join(roles)}")
    return column_list


def _render(configuration: Any, runtime_configuration: dict | None, template: str, fallback: str, roles: int) -> list:
    """The expectation in words, its columns named in `template` as $column_list_0, $column_list_1, …"""
    styling = (runtime_configuration or {}).get("styling")
    params = substitute_none_for_missing(
        configuration.kwargs if configuration else {}, ["column_list", "row_condition", "condition_parser"]
    )
    columns = list(params.get("column_list") or [])
    for index, column in enumerate(columns):
        params[f"column_list_{index}"] = column
    text = template if len(columns) == roles else fallback
    if params["row_condition"] is not None:
        condition = parse_row_condition_string(params["row_condition"])
        text, styling = _style_row_condition(condition, text[0].lower() + text[1:], params, styling)
    content = {"template": text, "params": params, "styling": styling}
    return [RenderedStringTemplateContent(content_block_type="string_template", string_template=content)]


class ExpectPrintedFigureToCopyItsSourceWithinRounding(MulticolumnMapExpectation):
    """Expect each printed figure to equal the table figure it copies within the larger of that figure's allowance
    and half a unit of the printed figure's last digit, exactly.

    `column_list` names four columns, in this order: the figure as printed (its digits), its unit (万元, 亿元, 元),
    the table figure in yuan (Decimal), that figure's allowance in yuan (Decimal).
    """

    map_metric = ROUNDING_METRIC
    success_keys = ("mostly",)
    args_keys = ("column_list",)
    library_metadata: ClassVar[dict[str, Any]] = LIBRARY_METADATA

    @pydantic.validator("column_list")
    def _four_columns(cls, column_list: list[str]) -> list[str]:
        return _checked_roles(column_list, ROUNDING_ROLES)

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None, **kwargs: Any
    ) -> list[RenderedStringTemplateContent]:
        template = (
            "$column_list_0 (a figure as printed, in $column_list_1) must equal $column_list_2 (the table figure it"
            " copies) within the larger of $column_list_3 and half a unit of its last printed digit, exactly."
        )
        fallback = "a printed figure must equal the table figure it copies within its rounding."
        return _render(configuration, runtime_configuration, template, fallback, len(ROUNDING_ROLES))


class ExpectPrintedPercentageToLieWithinItsRange(MulticolumnMapExpectation):
    """Expect each printed percentage to lie within one unit of its last digit of one of the ranges the figures it
    divides allow, exactly.

    `column_list` names three columns, in this order: the percentage as printed (its digits), its unit (%), the
    allowed ranges (a tuple of (low, high) Decimal pairs).
    """

    map_metric = PERCENTAGE_METRIC
    success_keys = ("mostly",)
    args_keys = ("column_list",)
    library_metadata: ClassVar[dict[str, Any]] = LIBRARY_METADATA

    @pydantic.validator("column_list")
    def _three_columns(cls, column_list: list[str]) -> list[str]:
        return _checked_roles(column_list, PERCENTAGE_ROLES)

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None, **kwargs: Any
    ) -> list[RenderedStringTemplateContent]:
        template = (
            "$column_list_0 (a percentage as printed, in $column_list_1) must lie within one unit of its last digit"
            " of one of the ranges $column_list_2, exactly."
        )
        fallback = "a printed percentage must lie within the range its figures allow."
        return _render(configuration, runtime_configuration, template, fallback, len(PERCENTAGE_ROLES))
