// The four subgraphs' schemas and resolvers (Federation 2 SDL, executed by @apollo/subgraph),
// matching shared/bench/supergraph.graphql field for field.

import { parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { IN_STOCK, PRODUCTS, REVIEWS, USERS } from "./data.mjs";

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", ' +
  'import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

const userById = new Map(USERS.map((u) => [u.id, u]));
const productByUpc = new Map(PRODUCTS.map((p) => [p.upc, p]));

const accounts = {
  typeDefs: `${LINK}
    type Query { me: User  user(id: ID!): User  users: [User] }
    type User @key(fields: "id") { id: ID! name: String username: String birthday: Int }`,
  resolvers: {
    Query: {
      me: () => USERS[0],
      user: (_, { id }) => userById.get(id) ?? null,
      users: () => USERS,
    },
    User: { __resolveReference: (ref) => userById.get(ref.id) ?? null },
  },
};

const products = {
  typeDefs: `${LINK}
    type Query { topProducts(first: Int = 5): [Product] }
    type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
  resolvers: {
    Query: { topProducts: (_, { first }) => PRODUCTS.slice(0, first ?? 5) },
    Product: { __resolveReference: (ref) => productByUpc.get(ref.upc) ?? null },
  },
};

const inventory = {
  typeDefs: `${LINK}
    type Product @key(fields: "upc") {
      upc: String!
      weight: Int @external
      price: Int @external
      inStock: Boolean
      shippingEstimate: Int @requires(fields: "price weight")
    }`,
  resolvers: {
    Product: {
      __resolveReference: (ref) => ({ ...ref, inStock: IN_STOCK[ref.upc] ?? false }),
      // Free above 1000, else half the weight.
      shippingEstimate: (p) => (p.price == null ? null : p.price > 1000 ? 0 : p.weight == null ? null : Math.floor(p.weight / 2)),
    },
  },
};

const reviewOut = (r) => ({ id: r.id, body: r.body, product: { upc: r.upc }, author: r.authorId });
const reviews = {
  typeDefs: `${LINK}
    type Review @key(fields: "id") {
      id: ID!
      body: String
      product: Product
      author: User @provides(fields: "username")
    }
    type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
    type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
  resolvers: {
    Review: {
      __resolveReference: (ref) => {
        const r = REVIEWS.find((x) => x.id === ref.id);
        return r ? reviewOut(r) : null;
      },
      author: (review) => {
        const user = userById.get(review.author);
        return user ? { id: user.id, username: user.username } : null;
      },
    },
    User: {
      __resolveReference: (ref) => ({ id: ref.id }),
      reviews: (user) => REVIEWS.filter((r) => r.authorId === user.id).map(reviewOut),
    },
    Product: {
      __resolveReference: (ref) => ({ upc: ref.upc }),
      reviews: (product) => REVIEWS.filter((r) => r.upc === product.upc).map(reviewOut),
    },
  },
};

export const SUBGRAPHS = Object.fromEntries(
  Object.entries({ accounts, inventory, products, reviews }).map(([name, { typeDefs, resolvers }]) => [
    name,
    buildSubgraphSchema([{ typeDefs: parse(typeDefs), resolvers }]),
  ]),
);
