"""A tiny evaluator for the formulas `quote_xlsx` writes (IF, MAX, CEILING, ROUND, SUM,
SUMPRODUCT((range=cell)*range), + - * / and comparisons), so tests can check what Excel
would show. Not a general spreadsheet engine."""

from __future__ import annotations

import math
import re
from typing import Any

from openpyxl.utils.cell import get_column_letter, range_boundaries

_REF = r"\b[A-Z]{1,3}\d+\b"


class Evaluator:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.cache: dict[str, Any] = {}

    def value(self, ref: str) -> Any:
        ref = ref.replace("$", "")
        if ref not in self.cache:
            raw = self.ws[ref].value
            if isinstance(raw, str) and self.ws[ref].data_type == "f":
                raw = self.formula(raw)
            self.cache[ref] = raw
        return self.cache[ref]

    def cells(self, rng: str) -> list[Any]:
        min_col, min_row, max_col, max_row = range_boundaries(rng.replace("$", ""))
        return [
            self.value(f"{get_column_letter(c)}{r}")
            for r in range(min_row, max_row + 1)
            for c in range(min_col, max_col + 1)
        ]

    def formula(self, text: str) -> Any:
        expr = text[1:].replace("$", "")
        expr = re.sub(
            rf"SUMPRODUCT\(\(({_REF}:{_REF})=({_REF})\)\*({_REF}:{_REF})\)",
            r'_SP("\1","\2","\3")',
            expr,
        )

        def token(match: re.Match[str]) -> str:
            text = match.group(0)
            if match.group(1) or match.group(2):  # inside a string literal already
                return text
            return f'_R("{text}")' if ":" in text else f'_C("{text}")'

        expr = re.sub(rf'("[^"]*")|(_\w+\()|{_REF}:{_REF}|{_REF}', token, expr)
        expr = expr.replace("<=", " <= ").replace("<>", "!=")
        names = {
            "_C": lambda r: self.value(r) or 0,
            "_R": self.cells,
            "_SP": lambda a, b, c: sum(
                (v or 0)
                for k, v in zip(self.cells(a), self.cells(c), strict=True)
                if k is not None and str(k).lower() == str(self.value(b)).lower()
            ),
            "IF": lambda c, a, b: a if c else b,
            "MAX": lambda *a: max(a),
            "CEILING": lambda x, s: math.ceil(x / s) * s,
            "ROUND": lambda x, n: round(x, int(n)),
            "SUM": lambda *a: sum(sum(v or 0 for v in x) if isinstance(x, list) else x for x in a),
        }
        return eval(expr, {"__builtins__": {}}, names)
