"""Prints the database credential Secrets of one environment, with fresh random passwords.

One Secret per service with a database, named <platform.postgres.secretPrefix><service>:
`username` and `password` (CloudNativePG sets the service's login role from them) and `uri`
(the service's DATABASE_URL, referenced by the chart). Nothing here is ever committed.

    python deploy/k8s/db_secrets.py --env prod | kubectl -n xiangzhi-prod create -f -

`create`, not `apply`: a Secret that already exists is left as it is (kubectl reports
AlreadyExists for it), so running it again never rotates a password by accident.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from typing import Any

import generate
import yaml


def database_secrets(env: str, token=secrets.token_urlsafe) -> list[dict[str, Any]]:
    values = generate.load_values(env)
    pg = values["platform"]["postgres"]
    out = []
    for name, c in sorted(generate.components(values).items()):
        if not c.get("database"):
            continue
        password = token(32)
        uri = (f"postgresql://{name}:{password}@{pg['cluster']}-rw:{pg['port']}/{name}"
               "?sslmode=require")
        out.append({
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/basic-auth",
            "metadata": {
                "name": f"{pg['secretPrefix']}{name}",
                "labels": {"app.kubernetes.io/part-of": "xiangzhi", "cnpg.io/reload": "true"},
            },
            "stringData": {"username": name, "password": password, pg["uriKey"]: uri},
        })
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=generate.ENVIRONMENTS)
    args = parser.parse_args()
    sys.stdout.write("---\n".join(yaml.safe_dump(s, sort_keys=False)
                                   for s in database_secrets(args.env)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
