"""Local catalogs: price lists, stock lists and the JLC/LCSC parts library in a SQLite store.

Layout (one job per module):

- `prices`      pure: the price grammars (JLC `qFrom-qTo:unit,...`, jlcparts JSON, `1:0.25; 10:0.2`)
- `record`      the normalised row (`CatalogRecord`) every format produces
- `tables`      reading CSV (UTF-8 / GB18030, `,` or `;`) and XLSX (every sheet) into rows
- `columns`     header synonyms and `--map field=Column`
- `formats`     pure: row -> record for the table formats (jlc, generic, inventree, lcsc-order)
- `jlcparts_db` the two published jlcparts SQLite layouts, detected or refused loudly
- `store`       the SQLite store: schema, atomic replace, exact lookups, FTS5 trigram search
- `query`       pure: a search text -> FTS terms, short terms and parametric checks
- `importer`    file -> records -> store, with the summary `catalog import` prints
- `configured`  `[providers.catalog] files`: names, path resolution, re-import when changed
"""
