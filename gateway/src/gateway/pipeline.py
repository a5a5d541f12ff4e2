"""The request pipeline, independent of HTTP: parse → limits → validate → plan (cached) →
execute → shape. `Gateway.execute` never raises for a client's mistake: it answers with
GraphQL errors carrying `extensions.code`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    execute,
    parse,
    validate,
    visit,
)
from graphql.execution.values import get_variable_values

from gateway.config import GatewaySettings
from gateway.errors import RequestError
from gateway.execute.executor import Execution, FetchHook, _no_hook
from gateway.execute.fast_shape import CompiledShape, Fallback
from gateway.execute.fetcher import SubgraphClient
from gateway.execute.shape import Shaper
from gateway.limits import check_document, check_tokens
from gateway.normalize import OperationNotFound, find_operation, normalize
from gateway.planner import PlanningError, QueryPlan, build_plan
from gateway.planner.cache import LruCache
from gateway.planner.fieldsets import FieldSetParser
from gateway.planner.walker import INTROSPECTION_ROOT_FIELDS
from gateway.supergraph.model import Supergraph


@dataclass
class GraphQLRequest:
    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


@dataclass
class Outcome:
    """What the HTTP layer needs besides the response body."""

    response: dict[str, Any]
    plan: QueryPlan | None = None
    plan_cache_hit: bool | None = None
    operation_name: str | None = None
    operation_kind: str | None = None
    refused: bool = False  # rejected before execution (parse, limits, validation)
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Document:
    document: DocumentNode
    condition_variables: tuple[str, ...]


class _ConditionVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        if node.name.value in ("skip", "include"):
            for arg in node.arguments or ():
                if not isinstance(arg.value, BooleanValueNode) and hasattr(arg.value, "name"):
                    self.names.add(arg.value.name.value)


class Gateway:
    def __init__(
        self, supergraph: Supergraph, settings: GatewaySettings, client: SubgraphClient | None = None
    ) -> None:
        self.supergraph = supergraph
        self.settings = settings
        self.schema = supergraph.api_schema
        self.fieldsets = FieldSetParser(supergraph.schema)
        self.concrete = frozenset(
            name for name, t in supergraph.schema.type_map.items()
            if isinstance(t, GraphQLObjectType)
        )
        self.client = client or SubgraphClient(
            {name: settings.subgraph_urls.get(name, g.url)
             for name, g in supergraph.graphs.items()},
            default_timeout=settings.subgraph_timeout_seconds,
            timeouts=settings.subgraph_timeouts,
            max_connections=settings.max_subgraph_connections,
        )
        self._documents: LruCache[str, _Document] = LruCache(settings.plan_cache_size)
        self._plans: LruCache[tuple, QueryPlan] = LruCache(settings.plan_cache_size)

    async def aclose(self) -> None:
        await self.client.aclose()

    # ----- phases ------------------------------------------------------------------------

    def document(self, query: str) -> _Document:
        cached = self._documents.get(query)
        if cached is not None:
            return cached
        check_tokens(query, self.settings.max_tokens)
        try:
            document = parse(query)
        except GraphQLSyntaxError as error:
            raise RequestError(
                error.message, "GRAPHQL_PARSE_FAILED", locations=_locations(error)
            ) from error
        check_document(
            document, self.settings.max_depth, self.settings.max_aliases, self.settings.max_fields
        )
        errors = validate(self.schema, document)
        if errors:
            raise _ValidationFailed(errors)
        collector = _ConditionVariables()
        visit(document, collector)
        entry = _Document(document, tuple(sorted(collector.names)))
        self._documents.put(query, entry)
        return entry

    def plan(
        self, query: str, entry: _Document, operation: OperationDefinitionNode,
        variables: dict[str, Any],
    ) -> tuple[QueryPlan, bool]:
        name = operation.name.value if operation.name else None
        key = (query, name, tuple(bool(variables.get(v)) for v in entry.condition_variables))
        plan = self._plans.get(key)
        if plan is not None:
            return plan, True
        op = normalize(entry.document, operation, self.schema, variables)
        plan = build_plan(self.supergraph, self.fieldsets, op)
        self._plans.put(key, plan)
        return plan, False

    async def execute(
        self,
        request: GraphQLRequest,
        headers: dict[str, str] | None = None,
        hook: FetchHook = _no_hook,
        allowed_operations: tuple[str, ...] = ("query", "mutation"),
    ) -> Outcome:
        try:
            if not request.query or not isinstance(request.query, str):
                raise RequestError("Must provide query string.", "BAD_REQUEST")
            entry = self.document(request.query)
            operation = find_operation(entry.document, request.operation_name)
            kind = operation.operation.value
            if kind not in allowed_operations:
                if kind == "subscription":
                    raise RequestError("Subscriptions are not supported.", "OPERATION_NOT_SUPPORTED")
                raise RequestError(
                    f"Can only perform a {kind} operation from a POST request.",
                    "METHOD_NOT_ALLOWED", status=405,
                )
            coerced = get_variable_values(
                self.schema, operation.variable_definitions or (), request.variables or {}
            )
            if isinstance(coerced, list):
                raise _ValidationFailed(coerced, "BAD_USER_INPUT")
            # graphql-core 3.3 wraps the values with their sources; 3.2 returns the dict.
            coerced = getattr(coerced, "coerced", coerced)
            plan, hit = self.plan(request.query, entry, operation, coerced)
        except RequestError as error:
            return Outcome({"errors": [error.to_dict()]}, refused=True)
        except _ValidationFailed as failed:
            return Outcome({"errors": failed.to_list()}, refused=True)
        except OperationNotFound as error:
            return Outcome(
                {"errors": [{"message": str(error), "extensions": {"code": "BAD_REQUEST"}}]},
                refused=True,
            )
        except PlanningError as error:
            return Outcome({"errors": [{
                "message": f"Cannot plan this operation: {error}",
                "extensions": {"code": "QUERY_PLANNING_FAILED"},
            }]}, refused=True)

        execution = Execution(
            plan, self.supergraph.schema, self.concrete, self.client,
            request.variables or {}, headers or {}, hook,
        )
        await execution.run()
        op = plan.operation
        data = self._shape(plan, execution)
        if plan.introspection and data is not None:
            data.update(self._introspect(entry.document, operation, coerced, execution.errors))
        response: dict[str, Any] = {}
        if execution.errors:
            response["errors"] = execution.errors
        response["data"] = data
        return Outcome(
            response, plan=plan, plan_cache_hit=hit, operation_name=op.name, operation_kind=op.kind
        )

    def _shape(self, plan: QueryPlan, execution: Execution) -> dict[str, Any] | None:
        """The client's response data: the plan's compiled shaping when every value is as the
        schema wants it, else the full shaper (which reports nulls and errors by path)."""
        op = plan.operation
        compiled = plan.compiled_shape
        if compiled is None:
            compiled = plan.compiled_shape = CompiledShape(self.schema, op.root_type, op.selections)
        try:
            return compiled.shape(execution.data)
        except Fallback:
            return Shaper(self.schema, execution.errors).shape(
                op.root_type, op.selections, execution.data
            )

    def _introspect(
        self, document: DocumentNode, operation: OperationDefinitionNode,
        variables: dict[str, Any], errors: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """Answers `__schema` / `__type` from the API schema with graphql-core itself."""
        selections = tuple(
            s for s in operation.selection_set.selections
            if isinstance(s, FieldNode) and s.name.value in INTROSPECTION_ROOT_FIELDS
        )
        only = OperationDefinitionNode(
            operation=operation.operation, name=operation.name,
            variable_definitions=operation.variable_definitions, directives=(),
            selection_set=SelectionSetNode(selections=selections),
        )
        definitions = tuple(d for d in document.definitions if d is not operation) + (only,)
        result = execute(self.schema, DocumentNode(definitions=definitions), variable_values=variables,
                         operation_name=operation.name.value if operation.name else None)
        for error in result.errors or ():  # type: ignore[union-attr]
            errors.append(error.formatted)
        return result.data or {}  # type: ignore[union-attr]


def _locations(error: GraphQLError) -> list[dict[str, int]] | None:
    if not error.locations:
        return None
    return [{"line": loc.line, "column": loc.column} for loc in error.locations]


class _ValidationFailed(Exception):
    def __init__(self, errors: list[GraphQLError], code: str = "GRAPHQL_VALIDATION_FAILED"):
        super().__init__(errors[0].message if errors else code)
        self.errors = errors
        self.code = code

    def to_list(self) -> list[dict[str, Any]]:
        out = []
        for error in self.errors:
            item: dict[str, Any] = {"message": error.message}
            locations = _locations(error)
            if locations:
                item["locations"] = locations
            item["extensions"] = {"code": self.code}
            out.append(item)
        return out
