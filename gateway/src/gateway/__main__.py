"""Command line: `python -m gateway serve ...` runs the gateway; `python -m gateway plan ...`
prints the query plan of an operation."""

from __future__ import annotations

import argparse
import sys

import orjson

from gateway.config import GatewaySettings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.server.app import create_app
    from gateway.supergraph import load_supergraph

    overrides = {"supergraph_path": args.supergraph} if args.supergraph else {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.host:
        overrides["host"] = args.host
    settings = GatewaySettings(**overrides)
    _setup_tracing(settings)
    app = create_app(load_supergraph(settings.supergraph_path), settings)
    if settings.tune_gc:
        from gateway.server.runtime import tune_gc

        tune_gc()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                access_log=False, lifespan="on")
    return 0


def _setup_tracing(settings: GatewaySettings) -> None:
    """The shared telemetry setup, when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without an exporter
    the SDK would record a span per request and per subgraph fetch for nobody (a few percent
    of the gateway's CPU on the benchmark, and the SDK's memory); OpenTelemetry's default
    no-op tracer still carries a caller's `traceparent` through to the subgraphs."""
    if not settings.otel_exporter_otlp_endpoint:
        return
    from xiangzhi_shared.settings import ServiceSettings
    from xiangzhi_shared.telemetry import setup_tracing

    setup_tracing(ServiceSettings(
        service_name="gateway", otel_exporter_otlp_endpoint=settings.otel_exporter_otlp_endpoint,
        otel_resource_attributes=settings.otel_resource_attributes))


def _plan(args: argparse.Namespace) -> int:
    from graphql import parse, validate

    from gateway.normalize import find_operation, normalize
    from gateway.planner import build_plan
    from gateway.planner.fieldsets import FieldSetParser
    from gateway.supergraph import load_supergraph

    supergraph = load_supergraph(args.supergraph)
    with open(args.queryfile, encoding="utf-8") as handle:
        document = parse(handle.read())
    errors = validate(supergraph.api_schema, document)
    if errors:
        for error in errors:
            print(f"error: {error.message}", file=sys.stderr)
        return 1
    variables = orjson.loads(args.variables) if args.variables else {}
    operation = find_operation(document, args.operation)
    op = normalize(document, operation, supergraph.api_schema, variables)
    print(build_plan(supergraph, FieldSetParser(supergraph.schema), op).print())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gateway", description="Xiangzhi federated GraphQL gateway")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the gateway over a supergraph")
    serve.add_argument("--supergraph", help="supergraph SDL file")
    serve.add_argument("--port", type=int)
    serve.add_argument("--host")
    plan = commands.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("--supergraph", required=True)
    plan.add_argument("--operation", help="operation name, when the document has several")
    plan.add_argument("--variables", help="JSON object deciding @skip/@include")
    plan.add_argument("queryfile")
    args = parser.parse_args(argv)
    return _serve(args) if args.command == "serve" else _plan(args)


if __name__ == "__main__":
    raise SystemExit(main())
