"""The GraphQL documents sent to Nexar (api.nexar.com/graphql).

Nexar bills by parts returned, not by fields, but every field costs bandwidth and cache space, so
the part selection asks only for what `nexar.parse_part` reads. `sellers(authorizedOnly:)` is a
variable so `providers.nexar.authorized_only` needs no second document.
"""

from __future__ import annotations

PART_FIELDS = """
fragment OpencircuitPart on SupPart {
  mpn
  manufacturer { name }
  shortDescription
  specs { attribute { name shortname } displayValue }
  bestDatasheet { url }
  octopartUrl
  medianPrice1000 { quantity price currency }
  sellers(authorizedOnly: $authorizedOnly) {
    company { name }
    isAuthorized
    offers {
      sku
      inventoryLevel
      moq
      orderMultiple
      packaging
      factoryLeadDays
      clickUrl
      prices { quantity price currency convertedPrice convertedCurrency }
    }
  }
}
"""

MULTI_MATCH = (
    """
query OpencircuitMultiMatch(
  $queries: [SupPartMatchQuery!]!
  $country: String!
  $currency: String!
  $authorizedOnly: Boolean!
) {
  supMultiMatch(queries: $queries, country: $country, currency: $currency) {
    reference
    hits
    parts { ...OpencircuitPart }
  }
}
""".strip()
    + "\n"
    + PART_FIELDS.strip()
    + "\n"
)


def _search(field: str) -> str:
    return (
        f"""
query Opencircuit{field[0].upper()}{field[1:]}(
  $q: String!
  $start: Int!
  $limit: Int!
  $filters: Map
  $inStockOnly: Boolean!
  $country: String!
  $currency: String!
  $authorizedOnly: Boolean!
) {{
  {field}(
    q: $q
    start: $start
    limit: $limit
    filters: $filters
    inStockOnly: $inStockOnly
    country: $country
    currency: $currency
  ) {{
    hits
    results {{ part {{ ...OpencircuitPart }} }}
  }}
}}
""".strip()
        + "\n"
        + PART_FIELDS.strip()
        + "\n"
    )


#: Keyword search (`search QUERY`).
SEARCH = _search("supSearch")
#: Part-number search (`search --exact`, partial MPNs match too: "acs770" finds ACS770LCB-...).
SEARCH_MPN = _search("supSearchMpn")
#: The cheapest call that proves a token works: no part is returned, so none is billed.
CHECK = 'query OpencircuitCheck { supSearchMpn(q: "LM358", limit: 0) { hits } }\n'
