"""KiCad XML (netlist / intermediate BOM, versions D and E) and KiBoM XML -> a table.

KiCad: `<export><components><comp ref=…>` with `value`, `footprint`, `datasheet`,
`<fields><field name=…>` and (KiCad 7+) `<property name="dnp"/>` / `exclude_from_bom`;
`libparts` and `nets` are skipped. KiBoM: `<schematic><component><Reference>…` with one
element per field. Both become a table whose header row is made up from the field names, so
the rest of the reader treats them like any spreadsheet. Rows carry the line of the element.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opencircuit_cli.bom.tables import RawRow, RawTable
from opencircuit_cli.errors import InputError

_KICAD_SIMPLE = ("value", "footprint", "datasheet", "description")


@dataclass
class _Component:
    line: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _State:
    """Parser scratch space, local to one parse call."""

    components: list[_Component] = field(default_factory=list)
    stack: list[str] = field(default_factory=list)
    current: _Component | None = None
    text: list[str] = field(default_factory=list)
    field_name: str | None = None
    kind: str | None = None  # "kicad" | "kibom"
    excluded: int = 0


def _parse(data: bytes) -> _State:
    from xml.parsers import expat

    state = _State()
    parser = expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        parent = state.stack[-1] if state.stack else None
        state.stack.append(name)
        state.text = []
        if state.kind is None and parent is None:
            state.kind = "kibom" if name == "schematic" else "kicad"
        if state.kind == "kicad":
            if name == "comp" and parent == "components":
                state.current = _Component(parser.CurrentLineNumber)
                state.current.fields["Reference"] = attrs.get("ref", "")
            elif state.current is not None and name == "field":
                state.field_name = attrs.get("name", "")
            elif state.current is not None and name == "property" and parent == "comp":
                prop = attrs.get("name", "").lower()
                if prop == "dnp":
                    state.current.fields["DNP"] = "DNP"
                elif prop == "exclude_from_bom":
                    state.current.fields["__exclude__"] = "1"
                elif prop.startswith("ki_") or prop.startswith("sheet"):
                    pass
                elif prop and "value" in attrs and attrs["value"]:
                    state.current.fields.setdefault(attrs["name"], attrs["value"])
        elif state.kind == "kibom" and name == "component" and parent == "schematic":
            state.current = _Component(parser.CurrentLineNumber)

    def end(name: str) -> None:
        text = "".join(state.text).strip()
        state.stack.pop()
        parent = state.stack[-1] if state.stack else None
        comp = state.current
        if state.kind == "kicad" and comp is not None:
            if name == "comp":
                if comp.fields.pop("__exclude__", None):
                    state.excluded += 1
                else:
                    state.components.append(comp)
                state.current = None
            elif name == "field" and state.field_name:
                comp.fields[state.field_name] = text
                state.field_name = None
            elif name in _KICAD_SIMPLE and parent == "comp":
                comp.fields[name.capitalize()] = text
        elif state.kind == "kibom" and comp is not None:
            if name == "component":
                state.components.append(comp)
                state.current = None
            elif parent == "component":
                comp.fields[name] = text
        state.text = []

    def chars(data: str) -> None:
        state.text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(
            f"the XML is not well-formed ({exc})",
            hint="export the BOM/netlist again from KiCad, or export a CSV instead",
        ) from None
    return state


def xml_table(data: bytes) -> tuple[RawTable, list[tuple[int | None, str]]]:
    state = _parse(data)
    warnings: list[tuple[int | None, str]] = []
    if state.excluded:
        warnings.append((None, f"{state.excluded} component(s) marked exclude_from_bom skipped"))
    if not state.components:
        raise InputError(
            "the XML file holds no components (expected KiCad <comp> or KiBoM <component>)",
            hint="export a BOM or netlist XML from KiCad, or a CSV",
        )
    names: list[str] = []
    for comp in state.components:
        for key in comp.fields:
            if key not in names:
                names.append(key)
    if "DNP" not in names and state.kind == "kicad":
        names.append("DNP")
    rows = [RawRow(0, tuple(names))]
    rows.extend(
        RawRow(comp.line, tuple(comp.fields.get(n, "") for n in names)) for comp in state.components
    )
    return RawTable(None, tuple(rows), synthetic_header=True), warnings
