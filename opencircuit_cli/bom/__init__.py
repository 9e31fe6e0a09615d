"""Reading BOM files: CSV/TSV/semicolon/pipe text, XLSX, legacy XLS, KiCad and KiBoM XML, and
fixed-width EAGLE/Altium text reports.

Public API: `read_bom(path, sheet=None, mapping=None, include_dnp=False) -> BomReadResult`,
`bom_document(result)` for the `opencircuit.bom/1` JSON document.

Modules, one job each: `sniff` (format, delimiter) -> `decode` (bytes -> text) -> `tables`
(rows of text cells; `kicad` for XML) -> `header` (synonyms, header-row scoring) -> `fields`
(column -> field, SKU shapes, product URLs, MPN clean-up) -> `rows` (one data row -> a
`grouping.SourceRow`; `designators`, `dnp`) -> `grouping` (rows -> `models.BomLine`);
`reader` orchestrates, `document` renders JSON.

Decisions: legacy `.xls` is read with xlrd; fixed-width reports are read by cutting lines at
the positions of the header words; the header row is the best-scoring row (distinct fields
named by its cells), not row 1; a file without a header row is read by column contents.
"""

from __future__ import annotations

from opencircuit_cli.bom.document import bom_document
from opencircuit_cli.bom.reader import BomReadResult, read_bom

__all__ = ["BomReadResult", "bom_document", "read_bom"]
