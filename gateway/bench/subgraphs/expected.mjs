// The expected answer of a query over the benchmark data, computed without federation: one
// plain graphql-js schema holding all the data, so every gateway's answer can be checked
// against something no gateway produced.
// Usage: node expected.mjs <query-file>   (prints the JSON response)

import { readFileSync } from "node:fs";
import { buildSchema, graphql } from "graphql";
import { IN_STOCK, PRODUCTS, REVIEWS, USERS } from "./data.mjs";

const schema = buildSchema(`
  type Query { me: User  user(id: ID!): User  users: [User]  topProducts(first: Int = 5): [Product] }
  type User { id: ID! name: String username: String birthday: Int reviews: [Review] }
  type Product { upc: String! weight: Int price: Int inStock: Boolean shippingEstimate: Int name: String reviews: [Review] }
  type Review { id: ID! body: String product: Product author: User }
`);

const user = (u) => u && { ...u, reviews: () => REVIEWS.filter((r) => r.authorId === u.id).map(review) };
const product = (p) => p && {
  ...p,
  inStock: IN_STOCK[p.upc] ?? false,
  shippingEstimate: p.price > 1000 ? 0 : Math.floor(p.weight / 2),
  reviews: () => REVIEWS.filter((r) => r.upc === p.upc).map(review),
};
const review = (r) => ({
  id: r.id,
  body: r.body,
  product: () => product(PRODUCTS.find((p) => p.upc === r.upc)),
  author: () => user(USERS.find((u) => u.id === r.authorId)),
});
const root = {
  me: () => user(USERS[0]),
  user: ({ id }) => user(USERS.find((u) => u.id === id)),
  users: () => USERS.map(user),
  topProducts: ({ first }) => PRODUCTS.slice(0, first ?? 5).map(product),
};

const result = await graphql({ schema, source: readFileSync(process.argv[2], "utf8"), rootValue: root });
process.stdout.write(JSON.stringify(result));
