"""The page a browser gets at GET /graphql: GraphiQL, from static assets installed next to the
gateway (`make gateway-graphiql` puts the npm package `graphiql` in a git-ignored folder),
or, when they are absent, a minimal built-in query page that needs nothing from outside."""

from __future__ import annotations

from pathlib import Path

GRAPHIQL_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Xiangzhi GraphiQL</title>
<link rel="stylesheet" href="/graphiql/assets/graphiql/graphiql.min.css"></head>
<body style="margin:0;height:100vh"><div id="graphiql" style="height:100vh"></div>
<script src="/graphiql/assets/react/umd/react.production.min.js"></script>
<script src="/graphiql/assets/react-dom/umd/react-dom.production.min.js"></script>
<script src="/graphiql/assets/graphiql/graphiql.min.js"></script>
<script>
const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
ReactDOM.createRoot(document.getElementById('graphiql'))
  .render(React.createElement(GraphiQL, { fetcher }));
</script></body></html>"""

FALLBACK_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Xiangzhi GraphQL</title>
<style>body{font-family:sans-serif;margin:1em}textarea{width:100%;font-family:monospace}
pre{background:#f4f4f4;padding:1em;overflow:auto}</style></head>
<body><h1>Xiangzhi GraphQL gateway</h1>
<p>GraphiQL assets are not installed here; this page sends queries to this endpoint.</p>
<textarea id="q" rows="14">{ __schema { queryType { name } } }</textarea>
<textarea id="v" rows="3" placeholder="variables (JSON)"></textarea>
<button onclick="run()">Run</button><pre id="out"></pre>
<script>
async function run() {
  const body = { query: document.getElementById('q').value };
  const v = document.getElementById('v').value.trim();
  if (v) body.variables = JSON.parse(v);
  const r = await fetch(window.location.pathname, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  document.getElementById('out').textContent = JSON.stringify(await r.json(), null, 2);
}
</script></body></html>"""


def graphiql_page(assets: Path | None) -> str:
    if assets is not None and (assets / "graphiql" / "graphiql.min.js").is_file():
        return GRAPHIQL_PAGE
    return FALLBACK_PAGE
