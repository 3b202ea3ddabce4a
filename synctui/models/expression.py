"""parseExpression, the function catalogue and the filter operator list (spec 1.22)."""

from .base import GraphModel
from .common import PublicError, StringKeyObjectValuePair
from .enums import AttributeType, ScopeOperatorMultiValuedComparisonType, ScopeOperatorType
from .schema import AttributeDefinition, AttributeMappingSource, ObjectDefinition


class ExpressionInputObject(GraphModel):
    definition: ObjectDefinition | None = None
    properties: list[StringKeyObjectValuePair] = []


class ParseExpressionRequest(GraphModel):
    expression: str = ""
    test_input_object: ExpressionInputObject | None = None
    target_attribute_definition: AttributeDefinition | None = None


class ParseExpressionResponse(GraphModel):
    error: PublicError | None = None
    evaluation_result: list[str] | None = None
    evaluation_succeeded: bool = False
    parsed_expression: AttributeMappingSource | None = None
    parsing_succeeded: bool = False


class AttributeMappingParameterSchema(GraphModel):
    name: str = ""
    type: AttributeType = AttributeType.String
    required: bool = False
    allow_multiple_occurrences: bool = False


class AttributeMappingFunctionSchema(GraphModel):
    name: str = ""
    parameters: list[AttributeMappingParameterSchema] = []


class FilterOperatorSchema(GraphModel):
    name: str = ""
    arity: ScopeOperatorType = ScopeOperatorType.Binary
    multivalued_comparison_type: ScopeOperatorMultiValuedComparisonType = ScopeOperatorMultiValuedComparisonType.All
    supported_attribute_types: list[AttributeType] = []
