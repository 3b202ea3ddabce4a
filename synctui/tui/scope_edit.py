"""Edits of an object mapping's scoping filter (Graph `scope.groups`), on the editor's working copy.

Clauses in a group are AND-ed and groups are OR-ed, so a group without clauses would put every
object in scope: removing a group's last clause removes the group. The input and category filter
groups are left as they are (the portal does not edit them either).
"""

from __future__ import annotations

from ..models import Filter, FilterClause, FilterGroup, ObjectMapping


def scope_groups(mapping: ObjectMapping) -> list[FilterGroup]:
    return mapping.scope.groups if mapping.scope is not None else []


def clause_label(clause: FilterClause) -> str:
    """`department EQUALS "Sales"` (values quoted: a trailing space or an empty value shows)."""
    values = clause.target_operand.values if clause.target_operand else []
    return " ".join([clause.source_operand_name, clause.operator_name, *(f'"{v}"' for v in values)])


def add_group(mapping: ObjectMapping, first: FilterClause) -> int:
    """A new group holding `first`; returns its index. Named "Group N", N one more than the names
    already used, so that the service's problems ("groups[2] 'Group 2' clause 1") point at it."""
    if mapping.scope is None:
        mapping.scope = Filter()
    used = {group.name for group in mapping.scope.groups}
    number = len(mapping.scope.groups) + 1
    while f"Group {number}" in used:
        number += 1
    mapping.scope.groups.append(FilterGroup(name=f"Group {number}", clauses=[first]))
    return len(mapping.scope.groups) - 1


def set_clause(mapping: ObjectMapping, group: int, index: int | None, clause: FilterClause) -> int:
    """Replace clause `index` of the group, or add `clause` when `index` is None; returns its index."""
    clauses = scope_groups(mapping)[group].clauses
    if index is None:
        clauses.append(clause)
        return len(clauses) - 1
    clauses[index] = clause
    return index


def remove_clause(mapping: ObjectMapping, group: int, index: int) -> bool:
    """Remove a clause; True if its group, left empty, was removed too."""
    groups = scope_groups(mapping)
    del groups[group].clauses[index]
    if not groups[group].clauses:
        del groups[group]
        return True
    return False


def remove_group(mapping: ObjectMapping, group: int) -> None:
    del scope_groups(mapping)[group]
