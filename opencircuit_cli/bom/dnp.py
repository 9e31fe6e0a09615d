"""Do-not-place markers: DNP/Fitted columns and the conventions written into values."""

from __future__ import annotations

import re

_YES = frozenset(
    {
        "dnp",
        "dni",
        "dnf",
        "y",
        "yes",
        "x",
        "true",
        "wahr",
        "1",
        "ja",
        "oui",
        "si",
        "vrai",
        "nofit",
        "nf",
        "notfitted",
        "donotplace",
        "donotpopulate",
        "donotfit",
        "nopop",
        "excluded",
        "exclude",
        "nostuff",
        "notplaced",
        "notpopulated",
        "unpopulated",
        "omit",
    }
)
_NO = frozenset(
    {
        "",
        "n",
        "no",
        "false",
        "falsch",
        "0",
        "nein",
        "non",
        "faux",
        "fitted",
        "fit",
        "place",
        "populate",
        "populated",
        "placed",
        "yes_fit",
        "-",
        "~",
    }
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


def dnp_cell(text: str) -> bool:
    """A cell of a DNP-style column (`DNP`, `Do not place`): does it say "leave it off"?"""
    key = _key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    return key.startswith(("dnp", "dni", "donot", "notfit", "nofit"))


def fitted_cell_means_dnp(text: str) -> bool:
    """A cell of a Fitted/Populate-style column: is the part NOT fitted?

    Empty means fitted (unmarked rows are the normal case)."""
    key = _key(text)
    if key in ("", "y", "yes", "x", "true", "wahr", "1", "fitted", "fit", "populate", "ja"):
        return False
    return key in ("n", "no", "false", "falsch", "0", "nein") or dnp_cell(text)


_VALUE_DNP = re.compile(
    r"^na$|^(?:dnp|dni|dnf|no\s*fit|not\s*fitted|do\s*not\s*(?:place|populate|fit))\b"
    r"|^na\(|\(na\)|[_\-\s](?:dnp|dni)$|^dnp[_\-\s]",
    re.IGNORECASE,
)


def value_means_dnp(text: str) -> bool:
    """Value/footprint conventions: `DNP`, `NA(100nF)`, `(NA)HN1X4`, `R_0R0R(NA)`, `C_0402_DNP`."""
    text = text.strip()
    if not text:
        return False
    return bool(_VALUE_DNP.search(text))
