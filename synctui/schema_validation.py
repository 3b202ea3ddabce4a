"""Checks a schema before `put schema` accepts it: every problem, named by its JSON path."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from .errors import InvalidRequest, validation_problems
from .expressions import MAX_DEPTH, ExpressionError, compile_source, parse, validate_scope
from .models import AttributeMappingSource, ObjectDefinition, ObjectMapping, SynchronizationSchema

SOFT_DELETED = "IsSoftDeleted"
"""Computed by the engine, so a source mapping may read it whatever the source directory lists."""

SOURCE_LEVEL = 8
"""How deep in a schema document an attribute mapping's source sits (rules, rule, mappings, mapping, …)."""
MAX_DOCUMENT_DEPTH = SOURCE_LEVEL + 1 + 3 * MAX_DEPTH
"""Room for the deepest expression allowed (three JSON levels per level of the tree) and no more:
one limit, and whatever passes it can be validated, stored and written out."""

PATH_KEYS_SHOWN = 12
"""Steps of a too-deep place's JSON path that a message shows."""


class DocumentError(ValueError):
    """A schema file that holds no JSON object."""


def schema_document(raw: bytes, source: str) -> dict[str, Any]:
    """The JSON object in a schema file (`source` names it in the error)."""
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise DocumentError(f"{source} is not valid JSON: {error}") from None
    if not isinstance(document, dict):
        raise DocumentError(f"{source} must hold a synchronizationSchema object, not a {type(document).__name__}")
    return document


def checked_schema(
    schema: SynchronizationSchema | Mapping[str, Any], current: SynchronizationSchema | None
) -> SynchronizationSchema:
    """`schema` (a model, or Graph JSON) as it may replace `current`; InvalidRequest listing every
    problem otherwise."""
    if not isinstance(schema, SynchronizationSchema):
        problems = nesting_problems(schema)
        if problems:
            raise InvalidRequest(f"the schema has {len(problems)} problem(s)", problems)
        try:
            schema = SynchronizationSchema.model_validate(schema)
        except ValueError as error:
            raise InvalidRequest(
                "the schema is not a valid synchronizationSchema", validation_problems(error)
            ) from None
    problems = validate_schema(schema, current)
    if problems:
        raise InvalidRequest(f"the schema has {len(problems)} problem(s)", problems)
    return schema


def nesting_problems(document: Mapping[str, Any]) -> list[str]:
    """Where a schema document nests deeper than the limit. Found without recursion, before the
    document reaches the recursive steps (model validation, compiling, storing) that would crash on it."""
    problems = [
        f"{path}: the expression is nested more than {MAX_DEPTH} levels deep"
        for path, source in _raw_sources(document)
        if _too_deep_tree(source)
    ]
    if problems:
        return problems
    path = _too_deep_path(document)
    return [] if path is None else [f"{path}: the document is nested more than {MAX_DOCUMENT_DEPTH} levels deep"]


def _raw_sources(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for r, rule in _raw_items(document, "synchronizationRules"):
        for m, mapping in _raw_items(rule, "objectMappings"):
            for a, attribute_mapping in _raw_items(mapping, "attributeMappings"):
                if isinstance(attribute_mapping, Mapping) and "source" in attribute_mapping:
                    yield (
                        f"synchronizationRules[{r}].objectMappings[{m}].attributeMappings[{a}].source",
                        attribute_mapping["source"],
                    )


def _raw_items(parent: Any, key: str) -> Iterator[tuple[int, Any]]:
    children = parent.get(key) if isinstance(parent, Mapping) else None
    return enumerate(children) if isinstance(children, list) else iter(())


def _too_deep_tree(source: Any) -> bool:
    """Whether a raw attributeMappingSource has a node deeper than MAX_DEPTH (the root is level 0)."""
    level, depth = [source], 0
    while level:
        if depth > MAX_DEPTH:
            return True
        level = [
            pair["value"]
            for node in level
            for _, pair in _raw_items(node, "parameters")
            if isinstance(pair, Mapping) and "value" in pair
        ]
        depth += 1
    return False


def _too_deep_path(document: Any) -> str | None:
    """The JSON path of the first place nested deeper than MAX_DOCUMENT_DEPTH, if any."""
    stack: list[tuple[Any, int, Any]] = [(document, 1, None)]
    while stack:
        node, depth, trail = stack.pop()
        if depth > MAX_DOCUMENT_DEPTH:
            return _path(trail)
        children = node.items() if isinstance(node, Mapping) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            if isinstance(child, Mapping | list):
                stack.append((child, depth + 1, (trail, key)))
    return None


def _path(trail: Any) -> str:
    keys: list[Any] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    keys.reverse()
    # Where the deep part starts is what helps; its hundreds of levels are not.
    shown = "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in keys[:PATH_KEYS_SHOWN]).lstrip(".")
    return shown + ("…" if len(keys) > PATH_KEYS_SHOWN else "")


def validate_schema(schema: SynchronizationSchema, current: SynchronizationSchema | None = None) -> list[str]:
    """Every problem of `schema`; with the job's `current` schema, also the directories its rules use
    that `schema` would drop."""
    problems = (
        _usable_problems(schema)
        + _unnamed_definitions(schema)
        + (_dropped_directories(schema, current) if current else [])
    )
    counts = Counter(d.name.lower() for d in schema.directories)
    for index, directory in enumerate(schema.directories):
        if directory.name and counts[directory.name.lower()] > 1:
            problems.append(f"directories[{index}].name: the directory name {directory.name!r} is used twice")
    for r, rule in enumerate(schema.synchronization_rules):
        path = f"synchronizationRules[{r}]"
        source_dir = schema.directory(rule.source_directory_name)
        target_dir = schema.directory(rule.target_directory_name)
        for role, name, named in (
            ("source", rule.source_directory_name, source_dir),
            ("target", rule.target_directory_name, target_dir),
        ):
            if not name:
                problems.append(
                    f"{path}.{role}DirectoryName: the rule names no {role} directory; give the name of one "
                    "of the schema's directories"
                )
            elif named is None:
                problems.append(f"{path}.{role}DirectoryName: no directory named {name!r} in the schema")
        for m, mapping in enumerate(rule.object_mappings):
            mpath = f"{path}.objectMappings[{m}]"
            for role, name in (("source", mapping.source_object_name), ("target", mapping.target_object_name)):
                if not name:
                    problems.append(f"{mpath}.{role}ObjectName: the object mapping names no {role} object")
            source_obj = source_dir.object(mapping.source_object_name) if source_dir else None
            target_obj = target_dir.object(mapping.target_object_name) if target_dir else None
            if source_dir and mapping.source_object_name and source_obj is None:
                problems.append(
                    f"{mpath}.sourceObjectName: {rule.source_directory_name!r} has no object "
                    f"{mapping.source_object_name!r}"
                )
            if target_dir and mapping.target_object_name and target_obj is None:
                problems.append(
                    f"{mpath}.targetObjectName: {rule.target_directory_name!r} has no object "
                    f"{mapping.target_object_name!r}"
                )
            problems += _matching_problems(mapping, mpath)
            priorities: dict[int, str] = {}
            for a, attribute_mapping in enumerate(mapping.attribute_mappings):
                apath = f"{mpath}.attributeMappings[{a}]"
                target_name = attribute_mapping.target_attribute_name
                if not target_name:
                    problems.append(f"{apath}.targetAttributeName: the attribute mapping names no target attribute")
                elif target_obj is not None and target_obj.attribute(target_name) is None:
                    problems.append(
                        f"{apath}.targetAttributeName: {mapping.target_object_name!r} in "
                        f"{rule.target_directory_name!r} has no attribute {target_name!r}"
                    )
                priority = attribute_mapping.matching_priority
                if priority > 0:
                    if priority in priorities:
                        problems.append(
                            f"{apath}.matchingPriority: {priority} is also the matching priority of "
                            f"{priorities[priority]!r}; each matching attribute needs its own"
                        )
                    priorities[priority] = target_name
                if attribute_mapping.source is not None:
                    problems += _source_problems(attribute_mapping.source, f"{apath}.source", source_obj)
            if mapping.scope is not None:
                problems += [f"{mpath}.scope: {problem}" for problem in validate_scope(mapping.scope)]
                for g, group in enumerate(mapping.scope.groups + mapping.scope.input_filter_groups):
                    for c, clause in enumerate(group.clauses):
                        if not clause.source_operand_name:
                            problems.append(
                                f"{mpath}.scope.groups[{g}].clauses[{c}].sourceOperandName: "
                                "the clause names no source attribute"
                            )
                        elif source_obj is not None and _unknown_attribute(source_obj, clause.source_operand_name):
                            problems.append(
                                f"{mpath}.scope.groups[{g}].clauses[{c}].sourceOperandName: "
                                f"{mapping.source_object_name!r} has no attribute "
                                f"{clause.source_operand_name!r}"
                            )
    return problems


def _source_problems(source: AttributeMappingSource, path: str, source_obj: ObjectDefinition | None) -> list[str]:
    try:
        if source.expression:
            parse(source.expression)
        compiled = compile_source(source)
    except ExpressionError as error:
        return [f"{path}: {error}"]
    if source_obj is None:
        return []
    return [
        f"{path}: the source object {source_obj.name!r} has no attribute {name!r}"
        for name in sorted(compiled.attributes)
        if _unknown_attribute(source_obj, name)
    ]


def _unknown_attribute(source_obj: ObjectDefinition, name: str) -> bool:
    return name != SOFT_DELETED and source_obj.attribute(name) is None


def _unnamed_definitions(schema: SynchronizationSchema) -> list[str]:
    """Directories, objects and attributes without a name: Graph's documents may leave it out,
    but rules, mappings and the engine find them by it."""
    problems: list[str] = []
    for d, directory in enumerate(schema.directories):
        if not directory.name:
            problems.append(f"directories[{d}].name: the directory has no name")
        for o, obj in enumerate(directory.objects):
            if not obj.name:
                problems.append(f"directories[{d}].objects[{o}].name: the object has no name")
            problems += [
                f"directories[{d}].objects[{o}].attributes[{a}].name: the attribute has no name"
                for a, attribute in enumerate(obj.attributes)
                if not attribute.name
            ]
    return problems


def _usable_problems(schema: SynchronizationSchema) -> list[str]:
    # Without a rule and its object mappings a cycle imports nothing and succeeds: the job would
    # look healthy while provisioning nothing, so a schema that carries no mapping is refused.
    if not schema.synchronization_rules:
        return [
            "synchronizationRules: the schema has no synchronization rule, so cycles would provision nothing; "
            "start from an export of the job's current schema"
        ]
    return [
        f"synchronizationRules[{r}].objectMappings: the rule has no object mapping, so it would provision nothing"
        for r, rule in enumerate(schema.synchronization_rules)
        if not rule.object_mappings
    ]


def _matching_problems(mapping: ObjectMapping, path: str) -> list[str]:
    # A cycle finds an object's target by its matching attributes: without one, an object whose
    # link is lost (a crash before the checkpoint, a Full restart) would be created again.
    if not mapping.enabled:
        return []
    if not mapping.attribute_mappings:
        return [f"{path}.attributeMappings: the object mapping has no attribute mapping, so it would provision nothing"]
    if not any(m.matching_priority > 0 for m in mapping.attribute_mappings):
        return [
            f"{path}.attributeMappings: no attribute mapping matches objects (matchingPriority above 0), so "
            "target objects could not be found; give one a matchingPriority of 1"
        ]
    return []


def _dropped_directories(schema: SynchronizationSchema, current: SynchronizationSchema) -> list[str]:
    problems: list[str] = []
    for rule in current.synchronization_rules:
        for role, name in (("source", rule.source_directory_name), ("target", rule.target_directory_name)):
            problem = f"directories: the job's {role} directory {name!r} is missing; keep it"
            if schema.directory(name) is None and problem not in problems:
                problems.append(problem)
    return problems
