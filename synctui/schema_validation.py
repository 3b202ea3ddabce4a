"""Checks a schema before `put schema` accepts it: every problem, named by its JSON path."""

from __future__ import annotations

from .expressions import ExpressionError, compile_source, parse, validate_scope
from .models import AttributeMappingSource, SynchronizationSchema

SOFT_DELETED = "IsSoftDeleted"
"""Computed by the engine, so a source mapping may read it whatever the source directory lists."""


def validate_schema(schema: SynchronizationSchema) -> list[str]:
    problems: list[str] = []
    names = [d.name.lower() for d in schema.directories]
    for index, directory in enumerate(schema.directories):
        if names.count(directory.name.lower()) > 1:
            problems.append(f"directories[{index}].name: the directory name {directory.name!r} is used twice")
    for r, rule in enumerate(schema.synchronization_rules):
        path = f"synchronizationRules[{r}]"
        source_dir = schema.directory(rule.source_directory_name)
        target_dir = schema.directory(rule.target_directory_name)
        if source_dir is None:
            problems.append(f"{path}.sourceDirectoryName: no directory named {rule.source_directory_name!r} in the schema")
        if target_dir is None:
            problems.append(f"{path}.targetDirectoryName: no directory named {rule.target_directory_name!r} in the schema")
        for m, mapping in enumerate(rule.object_mappings):
            mpath = f"{path}.objectMappings[{m}]"
            source_obj = source_dir.object(mapping.source_object_name) if source_dir else None
            target_obj = target_dir.object(mapping.target_object_name) if target_dir else None
            if source_dir and source_obj is None:
                problems.append(f"{mpath}.sourceObjectName: {rule.source_directory_name!r} has no object "
                                f"{mapping.source_object_name!r}")
            if target_dir and target_obj is None:
                problems.append(f"{mpath}.targetObjectName: {rule.target_directory_name!r} has no object "
                                f"{mapping.target_object_name!r}")
            priorities: dict[int, str] = {}
            for a, attribute_mapping in enumerate(mapping.attribute_mappings):
                apath = f"{mpath}.attributeMappings[{a}]"
                target_name = attribute_mapping.target_attribute_name
                if target_obj is not None and target_obj.attribute(target_name) is None:
                    problems.append(f"{apath}.targetAttributeName: {mapping.target_object_name!r} in "
                                    f"{rule.target_directory_name!r} has no attribute {target_name!r}")
                priority = attribute_mapping.matching_priority
                if priority > 0:
                    if priority in priorities:
                        problems.append(f"{apath}.matchingPriority: {priority} is also the matching priority of "
                                        f"{priorities[priority]!r}; each matching attribute needs its own")
                    priorities[priority] = target_name
                if attribute_mapping.source is not None:
                    problems += _source_problems(attribute_mapping.source, f"{apath}.source", source_obj)
            if mapping.scope is not None:
                problems += [f"{mpath}.scope: {problem}" for problem in validate_scope(mapping.scope)]
                for g, group in enumerate(mapping.scope.groups + mapping.scope.input_filter_groups):
                    for c, clause in enumerate(group.clauses):
                        if source_obj is not None and _unknown_attribute(source_obj, clause.source_operand_name):
                            problems.append(f"{mpath}.scope.groups[{g}].clauses[{c}].sourceOperandName: "
                                            f"{mapping.source_object_name!r} has no attribute {clause.source_operand_name!r}")
    return problems


def _source_problems(source: AttributeMappingSource, path: str, source_obj) -> list[str]:
    try:
        if source.expression:
            parse(source.expression)
        compiled = compile_source(source)
    except ExpressionError as error:
        return [f"{path}: {error}"]
    if source_obj is None:
        return []
    return [f"{path}: the source object {source_obj.name!r} has no attribute {name!r}"
            for name in sorted(compiled.attributes) if _unknown_attribute(source_obj, name)]


def _unknown_attribute(source_obj, name: str) -> bool:
    return name != SOFT_DELETED and source_obj.attribute(name) is None
