"""Three subgraphs of a fictional county, shaped to exercise each federation directive:

- accounts: users and teams, the `Assignable` entity interface, the `rename` mutation.
- matters:  governance matters; `User.label` @requires(name); `recentMatters` @provides
            (reporter { name }); the `SearchResult` union spread over subgraphs.
- grid:     `Assignable` as an @interfaceObject (workload), `User.district` @override from
            accounts, a shareable root field and a value type.
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.applications import Starlette

from .kit import subgraph_app

USERS = {
    "u1": {"id": "u1", "name": "Li Wei", "secret": "s1", "district": "East"},
    "u2": {"id": "u2", "name": "Wang Fang", "secret": "s2", "district": "West"},
}
TEAMS = {"t1": {"id": "t1", "title": "Road crew"}}
MATTERS = [
    {"id": "m1", "title": "Broken lamp", "status": "OPEN", "reporter": "u1"},
    {"id": "m2", "title": "Flooded lane", "status": "CLOSED", "reporter": "u2"},
    {"id": "m3", "title": "Noisy pump", "status": "OPEN", "reporter": "u1"},
]
WORKLOAD = {"u1": 3, "u2": 1, "t1": 7}


class County:
    """Mutable state of one test session (mutations change it)."""

    def __init__(self) -> None:
        self.users = copy.deepcopy(USERS)
        self.matters = copy.deepcopy(MATTERS)
        self.mutation_order: list[str] = []
        self.log: list[dict[str, Any]] = []

    def user(self, uid: str) -> dict[str, Any] | None:
        u = self.users.get(uid)
        return {"__typename": "User", **u} if u else None


def accounts(county: County) -> Starlette:
    sdl = """
    type Query { me: User hello: String }
    type Mutation { rename(id: ID!, name: String!): User }
    interface Assignable { id: ID! }
    type User implements Assignable { id: ID! name: String! secret: String district: String! }
    type Team implements Assignable { id: ID! title: String! }
    """

    def rename(_root: Any, _info: Any, id: str, name: str) -> Any:
        county.mutation_order.append(f"rename:{name}")
        county.users[id]["name"] = name
        return county.user(id)

    def assignable(rep: dict[str, Any]) -> Any:
        if rep["id"] in TEAMS:
            return {"__typename": "Team", **TEAMS[rep["id"]]}
        return county.user(rep["id"])

    return subgraph_app(
        "accounts", sdl, ["User", "Team"],
        {
            "Query": {"me": lambda *_: county.user("u1"), "hello": lambda *_: "accounts"},
            "Mutation": {"rename": rename},
            # Overridden by grid: if the gateway ever asked here, the answer would show it.
            "User": {"district": lambda *_: "OVERRIDDEN"},
        },
        {
            "User": lambda rep: county.user(rep["id"]),
            "Team": lambda rep: {"__typename": "Team", **TEAMS[rep["id"]]},
            "Assignable": assignable,
        },
        county.log,
    )


def matters(county: County) -> Starlette:
    sdl = """
    type Query { matters: [Matter!]! recentMatters: [Matter!]! search(text: String!): [SearchResult!]! }
    type Mutation { openMatter(title: String!): Matter }
    enum MatterStatus { OPEN CLOSED }
    type Matter { id: ID! title: String! status: MatterStatus! reporter: User! }
    type User { id: ID! name: String! label: String! matters: [Matter!]! }
    union SearchResult = User | Matter
    """

    def matter(m: dict[str, Any], with_name: bool = False) -> dict[str, Any]:
        reporter: dict[str, Any] = {"__typename": "User", "id": m["reporter"]}
        if with_name:  # @provides(fields: "reporter { name }") on recentMatters
            reporter["name"] = county.users[m["reporter"]]["name"]
        return {"__typename": "Matter", **m, "reporter": reporter}

    def open_matter(_root: Any, _info: Any, title: str) -> Any:
        county.mutation_order.append(f"openMatter:{title}")
        m = {"id": f"m{len(county.matters) + 1}", "title": title, "status": "OPEN",
             "reporter": "u1"}
        county.matters.append(m)
        return matter(m)

    def user_reference(rep: dict[str, Any]) -> Any:
        uid = rep["id"]
        mine = [matter(m) for m in county.matters if m["reporter"] == uid]
        user: dict[str, Any] = {"__typename": "User", "id": uid, "matters": mine}
        if "name" in rep:  # sent only because of @requires(fields: "name")
            user["label"] = f"{rep['name']} ({len(mine)} matters)"
        return user

    def search(_root: Any, _info: Any, text: str) -> list[Any]:
        found: list[Any] = [matter(m) for m in county.matters if text.lower() in m["title"].lower()]
        found += [{"__typename": "User", "id": u} for u, v in county.users.items()
                  if text.lower() in v["name"].lower()]
        return found

    return subgraph_app(
        "matters", sdl, ["Matter", "User"],
        {
            "Query": {
                "matters": lambda *_: [matter(m) for m in county.matters],
                "recentMatters": lambda *_: [matter(m, True) for m in county.matters[-2:]],
                "search": search,
            },
            "Mutation": {"openMatter": open_matter},
        },
        {
            "Matter": lambda rep: next(
                (matter(m) for m in county.matters if m["id"] == rep["id"]), None
            ),
            "User": user_reference,
        },
        county.log,
    )


def grid(county: County) -> Starlette:
    sdl = """
    type Query { assignables: [Assignable!]! hello: String regions: [Region!]! }
    type Assignable { id: ID! workload: Int! }
    type User { id: ID! district: String! }
    type Region { code: String! name: String! }
    """
    return subgraph_app(
        "grid", sdl, ["Assignable", "User"],
        {
            "Query": {
                "assignables": lambda *_: [
                    {"__typename": "Assignable", "id": i, "workload": w}
                    for i, w in WORKLOAD.items()
                ],
                "hello": lambda *_: "grid",
                "regions": lambda *_: [{"code": "QY.01", "name": "East"}],
            },
        },
        {
            "Assignable": lambda rep: {
                "__typename": "Assignable", "id": rep["id"], "workload": WORKLOAD[rep["id"]]
            },
            "User": lambda rep: {
                "__typename": "User", "id": rep["id"],
                "district": county.users[rep["id"]]["district"],
            },
        },
        county.log,
    )
