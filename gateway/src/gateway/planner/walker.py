"""Phase 3: planning. Walks the normalised operation and assigns every field to a subgraph
fetch, adding entity fetches (`_entities`) where the current subgraph cannot go on.

The walk keeps a context: the fetch being built, the position in its selection, the response
path, the subgraph, and the parent type. A field the subgraph resolves is added in place; the
others are grouped by the subgraph that can resolve them and moved into a dependent entity
fetch whose representations (key + @requires fields) are planned first, from the same place.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    is_abstract_type,
)

from gateway.normalize import normalize_selection_set
from gateway.normalize.ir import NField, NFragment, NOperation, NSelection, clone
from gateway.normalize.merge_fields import merge_fields
from gateway.planner.directives.external import is_external
from gateway.planner.directives.interface_object import interfaces_of, is_interface_object
from gateway.planner.directives.key import entity_keys
from gateway.planner.directives.override import is_overridden
from gateway.planner.directives.provides import (
    provided_by_field,
    provided_field,
    provided_for_type,
)
from gateway.planner.directives.requires import required_by
from gateway.planner.directives.shareable import choose_graph
from gateway.planner.fieldsets import FieldSetParser
from gateway.planner.plan import EntityPart, FetchNode, QueryPlan
from gateway.planner.selection import SSel
from gateway.supergraph.model import Supergraph

INTROSPECTION_ROOT_FIELDS = ("__schema", "__type")

LOCAL, REQUIRES, REMOTE = "local", "requires", "remote"


class PlanningError(Exception):
    """The operation cannot be answered by the subgraphs (a supergraph/planner mismatch)."""


@dataclass
class Ctx:
    fetch: FetchNode
    sel: SSel
    path: tuple[str, ...]
    graph: str
    type_name: str
    provided: tuple[NSelection, ...] | None = None
    part: EntityPart | None = None  # set at the top of an entity fetch's fragment
    parent: Ctx | None = None  # where that part's requirements are planned
    collectors: tuple[list[FetchNode], ...] = ()
    user_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    # How this position was reached: the enclosing position, and the field (or the object
    # type an abstract position was narrowed to) taken from there. Used to re-enter a
    # subtree from an ancestor entity when no key leads to the current position.
    origin: Ctx | None = None
    step: NField | str | None = None


def _args_text(f: NField) -> str:
    from graphql import print_ast

    return ", ".join(print_ast(a) for a in f.arguments)


def _user_keys(items: list[NSelection] | None) -> dict[str, tuple[str, str]]:
    keys: dict[str, tuple[str, str]] = {}
    for item in items or ():
        if isinstance(item, NField):
            keys[item.response_key] = (item.name, _args_text(item))
        else:
            keys.update(_user_keys(item.selections))
    return keys


def _conflicting(a: list[NSelection], b: list[NSelection]) -> bool:
    """Two requirement sets that would put different values under one representation key
    (the same field with different arguments)."""
    fields_a = {f.name: f for f in a if isinstance(f, NField)}
    for f in b:
        if not isinstance(f, NField) or f.name not in fields_a:
            continue
        other = fields_a[f.name]
        if other.response_key != f.response_key:
            return True
        if f.selections and other.selections and _conflicting(other.selections, f.selections):
            return True
    return False


def internal_alias(f: NField) -> str:
    digest = hashlib.sha1(_args_text(f).encode()).hexdigest()[:6]
    return f"_req_{f.name}_{digest}"


def alias_requirements(
    items: tuple[NSelection, ...] | list[NSelection], user_keys: dict[str, tuple[str, str]]
) -> list[NSelection]:
    """Requirement fields get their own data keys wherever the client's selection (or the
    arguments) could make the plain field name mean something else in the merged data."""
    out: list[NSelection] = []
    for item in items:
        if isinstance(item, NFragment):
            out.append(NFragment(item.type_condition, alias_requirements(item.selections, user_keys)))
            continue
        if item.name == "__typename":
            out.append(NField("__typename", "__typename", type_name="String"))
            continue
        user = user_keys.get(item.name)
        plain = not item.arguments and (user is None or user == (item.name, ""))
        key = item.name if plain else internal_alias(item)
        out.append(NField(
            key, item.name, item.arguments, (),
            alias_requirements(item.selections, {}) if item.selections is not None else None,
            item.type_name,
        ))
    return out


class Walker:
    def __init__(self, sg: Supergraph, fieldsets: FieldSetParser) -> None:
        self.sg = sg
        self.schema: GraphQLSchema = sg.schema
        self.fieldsets = fieldsets
        self.nodes: list[FetchNode] = []
        self._in_progress: set[tuple] = set()
        self._field_shape: dict[tuple[str, str], tuple[str, int]] = {}

    # ----- entry point -------------------------------------------------------------------

    def plan(self, op: NOperation) -> QueryPlan:
        root = op.root_type
        fields = [s for s in op.selections if isinstance(s, NField)]
        introspection = [f for f in fields if f.name in INTROSPECTION_ROOT_FIELDS]
        work = [f for f in fields if f.name not in (*INTROSPECTION_ROOT_FIELDS, "__typename")]
        if op.kind == "mutation":
            self._plan_mutation(root, work)
        else:
            self._plan_query(root, work)
        return QueryPlan(operation=op, nodes=self.nodes, introspection=introspection)

    def _plan_query(self, root: str, fields: list[NField]) -> None:
        by_graph: dict[str, FetchNode] = {}
        for f in fields:
            candidates = self.sg.resolving_graphs(root, f.name)
            if not candidates:
                raise PlanningError(f"no subgraph resolves {root}.{f.name}")
            graph = choose_graph(
                candidates, lambda g, f=f: self.cost(g, root, [f]), set(by_graph),
                self.sg.graph_order,
            )
            node = by_graph.get(graph)
            if node is None:
                node = by_graph[graph] = self._new_node(graph, "root", "query")
            self._plan_root_field(node, root, f)

    def _plan_mutation(self, root: str, fields: list[NField]) -> None:
        # Mutation fields run one after another, in the client's order: each root fetch waits
        # for everything planned before it.
        previous: FetchNode | None = None
        for f in fields:
            candidates = self.sg.resolving_graphs(root, f.name)
            if not candidates:
                raise PlanningError(f"no subgraph resolves {root}.{f.name}")
            if previous is not None and previous.graph in candidates:
                node = previous
            else:
                graph = choose_graph(
                    candidates, lambda g, f=f: self.cost(g, root, [f]), set(), self.sg.graph_order
                )
                node = self._new_node(graph, "root", "mutation")
                node.deps = set(self.nodes) - {node}
            self._plan_root_field(node, root, f)
            previous = node

    def _plan_root_field(self, node: FetchNode, root: str, f: NField) -> None:
        ctx = Ctx(node, node.root_sel, (), node.graph, root, user_keys=_user_keys([f]))
        self.plan_object(ctx, root, [f])

    # ----- resolvability -----------------------------------------------------------------

    def resolvable(
        self, graph: str, type_name: str, f: NField, provided: tuple[NSelection, ...] | None
    ) -> str:
        meta = self.sg.types.get(type_name)
        if meta is None or graph not in meta.graphs:
            return REMOTE
        fmeta = meta.fields.get(f.name)
        if fmeta is None:
            return REMOTE
        if not fmeta.annotated:
            if meta.owner is not None and meta.kind == "object" and meta.owner != graph:
                return REMOTE
            return LOCAL
        info = fmeta.graphs.get(graph)
        if info is None:
            return REMOTE
        if is_external(self.sg, type_name, f.name, graph):
            return LOCAL if provided_field(provided, f.name) is not None else REMOTE
        if is_overridden(self.sg, type_name, f.name, graph):
            return REMOTE
        if info.requires:
            return REQUIRES
        return LOCAL

    def interface_resolvable(
        self, graph: str, interface: str, f: NField, provided: tuple[NSelection, ...] | None
    ) -> str:
        """An interface field is answered at the interface level only if the subgraph
        resolves it for every implementation it can return (one may declare it @external)."""
        state = self.resolvable(graph, interface, f, provided)
        if state != LOCAL:
            return state
        for member in self.members_in(interface, graph):
            if self.resolvable(graph, member, f, provided_for_type(provided, member)) != LOCAL:
                return REMOTE
        return LOCAL

    @staticmethod
    def in_representation(ctx: Ctx, f: NField) -> bool:
        if ctx.part is None or f.selections is not None:
            return False
        return any(
            isinstance(r, NField) and r.response_key == f.response_key and r.name == f.name
            and r.selections is None
            for r in ctx.part.requirements
        )

    def available(self, ctx: Ctx, type_name: str, f: NField) -> bool:
        return self.in_representation(ctx, f) or (
            self.resolvable(ctx.graph, type_name, f, ctx.provided) == LOCAL
        )

    def field_shape(self, type_name: str, field_name: str) -> tuple[str, int]:
        """The named return type and the list depth of `type.field` in the supergraph."""
        key = (type_name, field_name)
        shape = self._field_shape.get(key)
        if shape is None:
            t = self.schema.get_type(type_name)
            ftype = t.fields[field_name].type  # type: ignore[union-attr]
            depth = 0
            while isinstance(ftype, GraphQLNonNull | GraphQLList):
                if isinstance(ftype, GraphQLList):
                    depth += 1
                ftype = ftype.of_type
            shape = self._field_shape[key] = (ftype.name, depth)
        return shape

    def cost(
        self, graph: str, type_name: str, items: list[NSelection], depth: int = 0,
        provided: tuple[NSelection, ...] | None = None,
    ) -> int:
        """How many fields answering `items` from `graph` would leave to other subgraphs,
        roughly: the walk `plan_selections` would do, without building anything."""
        if depth > 8:
            return 0
        t = self.schema.get_type(type_name)
        abstract = t is not None and is_abstract_type(t)
        total = 0
        for item in items:
            if isinstance(item, NFragment):
                cond = item.type_condition or type_name
                if self.sg.type_in(cond, graph) is None:
                    total += 1
                else:
                    total += self.cost(graph, cond, item.selections, depth + 1,
                                       provided_for_type(provided, cond))
                continue
            if item.name == "__typename":
                continue
            state = (
                self.interface_resolvable(graph, type_name, item, provided) if abstract
                else self.resolvable(graph, type_name, item, provided)
            )
            if state != LOCAL:
                if abstract:
                    members = self.members_in(type_name, graph)
                    total += sum(
                        self.cost(graph, m, [item], depth + 1, provided_for_type(provided, m))
                        for m in members
                    ) if members else 1
                else:
                    total += 1
            elif item.selections:
                child, _ = self.field_shape(type_name, item.name)
                here = provided_field(provided, item.name)
                child_provided = (
                    tuple(here.selections) if here is not None and here.selections
                    else provided_by_field(self.sg, self.fieldsets, type_name, item, child, graph)
                )
                total += self.cost(graph, child, item.selections, depth + 1, child_provided)
        return total

    # ----- walking -----------------------------------------------------------------------

    def plan_selections(self, ctx: Ctx, items: list[NSelection]) -> None:
        t = self.schema.get_type(ctx.type_name)
        if isinstance(t, GraphQLObjectType):
            fields = [i for i in items if isinstance(i, NField)]
            fields += [
                f for i in items if isinstance(i, NFragment)
                for f in normalize_selection_set(clone([i]), ctx.type_name, self.schema)
                if isinstance(f, NField)
            ]
            self.plan_object(ctx, ctx.type_name, fields)
        else:
            self.plan_abstract(ctx, items)

    def plan_object(self, ctx: Ctx, type_name: str, fields: list[NField]) -> None:
        remote: list[NField] = []
        for f in fields:
            if f.name == "__typename":
                continue  # the gateway knows an object position's type
            if self.in_representation(ctx, f):
                continue  # already in the data: it was sent as part of the representation
            state = self.resolvable(ctx.graph, type_name, f, ctx.provided)
            if state == LOCAL:
                self.add_local(ctx, type_name, f)
            elif state == REQUIRES and ctx.part is not None:
                if self.attach_requirements(ctx, type_name, f):
                    self.add_local(ctx, type_name, f)
                else:
                    # Its requirements cannot share this representation: a fetch of its own.
                    assert ctx.parent is not None
                    self.jump(ctx.parent, type_name, ctx.graph, ctx.type_name, [f], fresh=True)
            else:
                remote.append(f)
        if remote:
            self.plan_remote(ctx, type_name, remote)

    def add_local(self, ctx: Ctx, type_name: str, f: NField) -> None:
        composite = f.selections is not None
        sfield = ctx.sel.add_field(f.name, f.response_key, f.arguments, composite)
        if not composite or sfield.sub is None:
            return
        child_type, depth = self.field_shape(type_name, f.name)
        info = self.sg.field_in(type_name, f.name, ctx.graph)
        if info is not None and info.type:
            # The subgraph may declare a narrower type here (an object where the supergraph
            # has a union): plan against what the subgraph will actually return.
            narrowed = info.type.replace("[", "").replace("]", "").replace("!", "").strip()
            if narrowed != child_type and self.schema.get_type(narrowed) is not None:
                if is_abstract_type(self.schema.get_type(child_type)):  # type: ignore[arg-type]
                    sfield.sub.add_typename()
                child_type = narrowed
        provided_here = provided_field(ctx.provided, f.name)
        if provided_here is not None and provided_here.selections is not None:
            provided = tuple(provided_here.selections)
        else:
            provided = provided_by_field(self.sg, self.fieldsets, type_name, f, child_type, ctx.graph)
        child = Ctx(
            fetch=ctx.fetch,
            sel=sfield.sub,
            path=ctx.path + (f.response_key,) + ("@",) * depth,
            graph=ctx.graph,
            type_name=child_type,
            provided=provided,
            collectors=ctx.collectors,
            user_keys=_user_keys(f.selections),
            origin=ctx,
            step=f,
        )
        self.plan_selections(child, f.selections or [])

    def members_in(self, abstract: str, graph: str) -> list[str]:
        """Object types of `abstract` that `graph` can return there."""
        t = self.schema.get_type(abstract)
        possible = [p.name for p in self.schema.get_possible_types(t)]  # type: ignore[arg-type]
        meta = self.sg.types[abstract]
        out: list[str] = []
        for name in possible:
            if self.sg.type_in(name, graph) is None:
                continue
            if meta.kind == "union":
                members = meta.union_members.get(graph)
                if members is not None and name not in members:
                    continue
            else:
                implements = self.sg.types[name].implements
                if implements and abstract not in implements.get(graph, ()):
                    continue
            out.append(name)
        return out

    def plan_abstract(self, ctx: Ctx, items: list[NSelection]) -> None:
        abstract = ctx.type_name
        ctx.sel.add_typename()
        fields = [i for i in items if isinstance(i, NField) and i.name != "__typename"]
        wants_typename = any(isinstance(i, NField) and i.name == "__typename" for i in items)
        fragments = [i for i in items if isinstance(i, NFragment)]

        if is_interface_object(self.sg, abstract, ctx.graph):
            # The subgraph cannot tell the implementations apart: interface-level fields are
            # answered here or by another subgraph; anything type-specific needs a subgraph
            # that knows the real interface.
            remote: list[NField] = []
            for f in fields:
                state = self.resolvable(ctx.graph, abstract, f, ctx.provided)
                if state == LOCAL or (state == REQUIRES and ctx.part is not None
                                      and self.attach_requirements(ctx, abstract, f)):
                    self.add_local(ctx, abstract, f)
                else:
                    remote.append(f)
            if remote:
                self.plan_remote(ctx, abstract, remote)
            if fragments or wants_typename:
                self.plan_concrete_type(ctx, abstract, fragments)
            return

        is_interface = self.sg.types[abstract].kind == "interface"
        exploded: list[NField] = []
        interface_remote: list[NField] = []
        for f in fields if is_interface else ():
            state = self.interface_resolvable(ctx.graph, abstract, f, ctx.provided)
            if state == LOCAL:
                self.add_local(ctx, abstract, f)
            elif self.jump_targets(ctx, abstract, f):
                interface_remote.append(f)
            else:
                exploded.append(f)
        if interface_remote:
            self.plan_remote(ctx, abstract, interface_remote)
        members = self.members_in(abstract, ctx.graph)
        if not is_interface:
            members = self._safe_union_members(ctx, abstract, members)
        if exploded and not members:
            raise PlanningError(
                f"cannot resolve {abstract}.{exploded[0].name} from subgraph {ctx.graph}"
            )
        for member in members:
            applicable: list[NSelection] = list(exploded)
            for frag in fragments:
                cond = frag.type_condition or abstract
                ctype = self.schema.get_type(cond)
                if cond == member or (
                    ctype is not None and is_abstract_type(ctype)
                    and self.schema.is_sub_type(ctype, self.schema.get_type(member))  # type: ignore[arg-type]
                ):
                    applicable.append(NFragment(member, frag.selections))
            if not applicable:
                continue
            normalized = normalize_selection_set(clone(applicable), member, self.schema)
            member_ctx = Ctx(
                fetch=ctx.fetch,
                sel=ctx.sel.fragment(member),
                path=ctx.path,
                graph=ctx.graph,
                type_name=member,
                provided=provided_for_type(ctx.provided, member),
                collectors=ctx.collectors,
                user_keys=ctx.user_keys,
                origin=ctx,
                step=member,
            )
            self.plan_object(member_ctx, member, [f for f in normalized if isinstance(f, NField)])

    def _safe_union_members(self, ctx: Ctx, union: str, members: list[str]) -> list[str]:
        """Below a shareable path that several subgraphs could resolve from the nearest
        entity (or root), only the union members all of them know are safe to select: which
        subgraph answers is the planner's choice, so the result must not depend on it."""
        steps: list[NField | str] = []
        current = ctx
        while current.origin is not None and current.step is not None:
            steps.insert(0, current.step)
            ancestor = current.origin
            meta = self.sg.types.get(ancestor.type_name)
            is_entity = meta is not None and any(g.keys for g in meta.graphs.values())
            if ancestor.origin is None or is_entity:
                candidates = [
                    g for g in self.sg.graph_order
                    if (ancestor.origin is None or g == ancestor.graph
                        or entity_keys(self.sg, self.fieldsets, ancestor.type_name, g))
                    and self._path_resolvable(g, ancestor.type_name, steps)
                ]
                if len(candidates) <= 1:
                    return members
                common = set(members)
                for g in candidates:
                    common &= set(self.members_in(union, g))
                return [m for m in members if m in common]
            current = ancestor
        return members

    def _path_resolvable(self, graph: str, start: str, steps: list[NField | str]) -> bool:
        current = start
        if self.sg.type_in(current, graph) is None:
            return False
        for step in steps:
            if isinstance(step, str):
                if self.sg.type_in(step, graph) is None:
                    return False
                current = step
                continue
            if self.resolvable(graph, current, step, None) != LOCAL:
                return False
            current = self.field_shape(current, step.name)[0]
        return True

    def plan_concrete_type(self, ctx: Ctx, interface: str, fragments: list[NFragment]) -> None:
        """From an @interfaceObject position, ask a subgraph that knows the implementations."""
        for graph in self.sg.graph_order:
            if graph == ctx.graph or is_interface_object(self.sg, interface, graph):
                continue
            if entity_keys(self.sg, self.fieldsets, interface, graph):
                items: list[NSelection] = [NField("__typename", "__typename", type_name="String")]
                self.jump(ctx, interface, graph, interface, items + list(fragments))
                return
        raise PlanningError(f"no subgraph can resolve the implementation of {interface}")

    # ----- entity jumps ------------------------------------------------------------------

    def jump_targets(self, ctx: Ctx, type_name: str, f: NField) -> list[tuple[str, str]]:
        """(subgraph, type as that subgraph knows it) pairs that can resolve `type.f` for an
        entity found here."""
        targets: list[tuple[str, str]] = []
        for graph in self.sg.resolving_graphs(type_name, f.name):
            if graph == ctx.graph and self.resolvable(graph, type_name, f, None) != REQUIRES:
                continue
            if entity_keys(self.sg, self.fieldsets, type_name, graph):
                targets.append((graph, type_name))
        if not targets and self.sg.types[type_name].kind == "object":
            # A field an @interfaceObject adds to every implementation of its interface.
            for interface in interfaces_of(self.sg, type_name):
                for graph in self.sg.resolving_graphs(interface, f.name):
                    if is_interface_object(self.sg, interface, graph) and entity_keys(
                        self.sg, self.fieldsets, interface, graph
                    ):
                        targets.append((graph, interface))
        return targets

    def plan_remote(self, ctx: Ctx, type_name: str, fields: list[NField]) -> None:
        """Moves `fields` into entity fetches. Preference: a subgraph reachable with a key
        the data already has here; else re-entering from an ancestor entity; else a subgraph
        whose key must itself be fetched first."""
        pending = list(fields)
        order = self.sg.graph_order
        while pending:
            direct: dict[tuple[str, str], list[NField]] = {}
            fallback: dict[tuple[str, str], list[NField]] = {}
            for f in pending:
                for target in self.jump_targets(ctx, type_name, f):
                    graph, via = target
                    if self._local_key(ctx, type_name, graph, via) is not None:
                        direct.setdefault(target, []).append(f)
                    else:
                        fallback.setdefault(target, []).append(f)

            def rank(item: tuple[tuple[str, str], list[NField]]) -> tuple:
                (graph, via), chosen = item
                return (-len(chosen), self.cost(graph, via, list(chosen)), order.index(graph))

            if direct:
                (graph, via), chosen = min(direct.items(), key=rank)
            else:
                served = self.parent_jump(ctx, type_name, pending)
                if served:
                    pending = [f for f in pending if all(f is not c for c in served)]
                    continue
                if not fallback:
                    f = pending[0]
                    raise PlanningError(
                        f"cannot resolve {type_name}.{f.name} from subgraph {ctx.graph}"
                    )
                (graph, via), chosen = min(fallback.items(), key=rank)
            self.jump(ctx, type_name, graph, via, list(chosen))
            pending = [f for f in pending if all(f is not c for c in chosen)]

    def parent_jump(self, ctx: Ctx, type_name: str, fields: list[NField]) -> list[NField]:
        """Entity fetch from an ancestor: an enclosing entity's subgraph that resolves the
        whole path from it down to some of `fields` (e.g. a value type only reachable
        through its parent entity). Returns the fields it planned."""
        steps: list[NField | str] = []
        current = ctx
        while current.origin is not None and current.step is not None:
            steps.insert(0, current.step)
            # Fetches created from the ancestor still feed whoever is collecting here.
            ancestor = replace(current.origin, collectors=ctx.collectors)
            root_level = (
                ancestor.origin is None and ancestor.fetch.kind == "root"
                and ancestor.fetch.operation == "query"
                and not self._reaches_entity(ancestor.type_name, steps)
            )
            for graph in self.sg.graph_order:
                if graph == ancestor.graph:
                    continue
                if not root_level and self._local_key(
                    ancestor, ancestor.type_name, graph, ancestor.type_name
                ) is None:
                    continue
                served = [f for f in fields
                          if self._path_local(graph, ancestor.type_name, steps, type_name, [f])]
                if not served:
                    continue
                if root_level:
                    self._root_fetch(ancestor, graph, self._wrap(steps, served))
                else:
                    self.jump(ancestor, ancestor.type_name, graph, ancestor.type_name,
                              self._wrap(steps, served))
                return served
            current = current.origin
        return []

    def _reaches_entity(self, start: str, steps: list[NField | str]) -> bool:
        """Whether the path from the root passes through an entity: an entity is fetched by
        key, never by asking a second subgraph's root field for the same object."""
        current = start
        for step in steps:
            current = step if isinstance(step, str) else self.field_shape(current, step.name)[0]
            meta = self.sg.types.get(current)
            if meta is not None and any(g.keys or g.unresolvable_keys for g in meta.graphs.values()):
                return True
        return False

    def _root_fetch(self, ancestor: Ctx, graph: str, items: list[NSelection]) -> None:
        """A shared root field whose value type is spread over several subgraphs: ask each
        subgraph's root for its part (only for queries: a mutation must run once)."""
        node = next(
            (n for n in self.nodes if n.kind == "root" and n.graph == graph), None
        ) or self._new_node(graph, "root", "query")
        for collector in ancestor.collectors:
            collector.append(node)
        root = Ctx(node, node.root_sel, (), graph, ancestor.type_name,
                   collectors=ancestor.collectors)
        self.plan_selections(root, items)

    def _path_local(
        self, graph: str, start: str, steps: list[NField | str], leaf_type: str,
        fields: list[NField],
    ) -> bool:
        current = start
        for step in steps:
            if isinstance(step, str):
                if self.sg.type_in(step, graph) is None:
                    return False
                current = step
                continue
            if self.resolvable(graph, current, step, None) != LOCAL:
                return False
            current = self.field_shape(current, step.name)[0]
        return current == leaf_type and all(
            self.resolvable(graph, current, f, None) == LOCAL for f in fields
        )

    @staticmethod
    def _wrap(steps: list[NField | str], fields: list[NField]) -> list[NSelection]:
        inner: list[NSelection] = clone(fields)
        for step in reversed(steps):
            if isinstance(step, str):
                inner = [NFragment(step, inner)]
            else:
                inner = [NField(step.response_key, step.name, step.arguments, (), inner,
                                step.type_name)]
        return inner

    def _local_key(self, ctx: Ctx, type_name: str, graph: str, via: str):
        for key in entity_keys(self.sg, self.fieldsets, via, graph):
            if all(
                isinstance(k, NField)
                and (k.name == "__typename" or self.available(ctx, type_name, k))
                for k in key
            ):
                return key
        return None

    def jump(
        self, ctx: Ctx, type_name: str, graph: str, via: str, items: list[NSelection],
        fresh: bool = False,
    ) -> None:
        key = self._local_key(ctx, type_name, graph, via)
        if key is None:
            key = entity_keys(self.sg, self.fieldsets, via, graph)[0]
        guard = (id(ctx.sel), type_name, graph, via)
        if guard in self._in_progress:
            raise PlanningError(f"circular entity requirement for {type_name} in {graph}")
        self._in_progress.add(guard)
        try:
            requirements = alias_requirements(key, ctx.user_keys)
            deps = self._plan_requirements(ctx, type_name, requirements)
        finally:
            self._in_progress.discard(guard)
        deps.add(ctx.fetch)
        node = None if fresh else self._reusable(ctx, graph, deps)
        if node is None:
            node = self._new_node(graph, "entity", "query", path=ctx.path)
        node.deps |= deps
        for collector in ctx.collectors:
            collector.append(node)

        if self.sg.types[type_name].kind == "object":
            match = frozenset({type_name})
        else:
            t = self.schema.get_type(type_name)
            match = frozenset({type_name, *(p.name for p in self.schema.get_possible_types(t))})  # type: ignore[arg-type]
        part = node.part_for(via, match)
        part.requirements = merge_fields(
            clone([NField("__typename", "__typename", type_name="String")])
            + clone(part.requirements) + clone(requirements)
        )
        part.key_names = part.key_names | {
            k.response_key for k in requirements if isinstance(k, NField) and k.name != "__typename"
        }
        for runtime in match:
            known = self.sg.type_in(runtime, graph)
            sendable = (
                known is not None
                and self.sg.types[runtime].kind == "object"
                and not known.interface_object
                # An @interfaceObject subgraph resolves the interface's own fields only for
                # representations typed as the interface.
                and not is_interface_object(self.sg, via, graph)
            )
            part.send_as[runtime] = runtime if sendable else via
        child = Ctx(
            fetch=node,
            sel=part.sel,
            path=ctx.path,
            graph=graph,
            type_name=via,
            part=part,
            parent=replace(ctx, type_name=type_name),
            collectors=ctx.collectors,
            user_keys=ctx.user_keys,
            origin=ctx.origin,
            step=ctx.step,
        )
        self.plan_selections(child, items)

    def _plan_requirements(
        self, ctx: Ctx, type_name: str, requirements: list[NSelection]
    ) -> set[FetchNode]:
        """Plans the requirement fields at `ctx` (the entity's position in its parent fetch);
        returns the fetches they come from."""
        ctx.sel.add_typename()
        collector: list[FetchNode] = []
        sub = replace(ctx, type_name=type_name, collectors=ctx.collectors + (collector,))
        self.plan_selections(sub, clone(requirements))
        return set(collector)

    def attach_requirements(self, ctx: Ctx, type_name: str, f: NField) -> bool:
        """A field with @requires, at the top of an entity fetch to its subgraph: its required
        fields are planned at the parent position and sent with the representation."""
        assert ctx.part is not None and ctx.parent is not None
        required = required_by(self.sg, self.fieldsets, type_name, f.name, ctx.graph)
        if not required:
            return True
        candidate = alias_requirements(required, ctx.parent.user_keys)
        if _conflicting(ctx.part.requirements, candidate):
            return False
        guard = (id(ctx.parent.sel), type_name, ctx.graph, "requires", f.name)
        if guard in self._in_progress:
            return False
        self._in_progress.add(guard)
        try:
            requirements = alias_requirements(required, ctx.parent.user_keys)
            deps = self._plan_requirements(ctx.parent, ctx.parent.type_name, requirements)
        finally:
            self._in_progress.discard(guard)
        node = ctx.fetch
        if any(d is node or node in d.ancestors() for d in deps):
            return False  # the requirement comes from a fetch after this one: fetch separately
        node.deps |= deps
        ctx.part.requirements = merge_fields(clone(ctx.part.requirements) + clone(requirements))
        return True

    def _reusable(self, ctx: Ctx, graph: str, deps: set[FetchNode]) -> FetchNode | None:
        for node in self.nodes:
            if (
                node.kind == "entity"
                and node.graph == graph
                and node.path == ctx.path
                and ctx.fetch in node.deps
                and not any(d is node or node in d.ancestors() for d in deps)
            ):
                return node
        return None

    def _new_node(
        self, graph: str, kind: str, operation: str, path: tuple[str, ...] = ()
    ) -> FetchNode:
        node = FetchNode(id=len(self.nodes), graph=graph, kind=kind, operation=operation, path=path)
        self.nodes.append(node)
        return node
