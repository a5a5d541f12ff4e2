"""Pass 4: one entry per response key and per type condition, so the planner and the response
shaper see each field once (their sub-selections merged)."""

from __future__ import annotations

from gateway.normalize.ir import NField, NFragment, NSelection


def merge_fields(selections: list[NSelection]) -> list[NSelection]:
    out: list[NSelection] = []
    fields: dict[str, NField] = {}
    fragments: dict[str | None, NFragment] = {}
    for sel in selections:
        if isinstance(sel, NField):
            seen = fields.get(sel.response_key)
            if seen is None:
                fields[sel.response_key] = sel
                out.append(sel)
            elif sel.selections:
                # Validation (OverlappingFieldsCanBeMerged) guarantees same name and arguments.
                seen.selections = (seen.selections or []) + sel.selections
        else:
            frag = fragments.get(sel.type_condition)
            if frag is None:
                fragments[sel.type_condition] = sel
                out.append(sel)
            else:
                frag.selections = frag.selections + sel.selections
    for sel in out:
        if sel.selections:
            sel.selections = merge_fields(sel.selections)
    return out
