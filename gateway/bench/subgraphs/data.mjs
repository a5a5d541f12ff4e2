// The benchmark's data, written for this project to the shape the shared bench README gives
// (shared/bench/README.md): 6 users, 10 products (topProducts answers the first 5),
// 14 reviews with bodies of 150-450 characters spread over users and products.

export const USERS = [
  { id: "1", name: "Ada Lovelace", username: "ada", birthday: 1234567890 },
  { id: "2", name: "Alan Turing", username: "alan", birthday: 1234567891 },
  { id: "3", name: "Grace Hopper", username: "grace", birthday: 1234567892 },
  { id: "4", name: "Edsger Dijkstra", username: "edsger", birthday: 1234567893 },
  { id: "5", name: "Barbara Liskov", username: "barbara", birthday: 1234567894 },
  { id: "6", name: "Donald Knuth", username: "donald", birthday: 1234567895 },
];

export const PRODUCTS = [
  { upc: "1", name: "Table", price: 899, weight: 100 },
  { upc: "2", name: "Couch", price: 1299, weight: 1000 },
  { upc: "3", name: "Glass", price: 15, weight: 20 },
  { upc: "4", name: "Chair", price: 499, weight: 100 },
  { upc: "5", name: "TV", price: 1299, weight: 1000 },
  { upc: "6", name: "Lamp", price: 6999, weight: 300 },
  { upc: "7", name: "Grill", price: 3999, weight: 2000 },
  { upc: "8", name: "Fridge", price: 100000, weight: 6000 },
  { upc: "9", name: "Sofa", price: 9999, weight: 800 },
  { upc: "10", name: "Desk", price: 750, weight: 400 },
];

// inventory's own field; price and weight come from products through @requires.
export const IN_STOCK = { 1: true, 2: false, 3: false, 4: false, 5: true, 6: true, 7: true, 8: false, 9: true, 10: true };

const WORDS = (
  "the gateway plans every fetch before it runs and merges each answer into the response " +
  "while subgraphs resolve their own entities by key a review tells how a product held up " +
  "after months of use in a busy home with children and pets and honest opinions about price"
).split(" ");

// A deterministic body of exactly `length` characters.
function body(seed, length) {
  const out = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const word = WORDS[(seed * 7 + i * 3) % WORDS.length];
    out.push(word);
    size += word.length + 1;
  }
  return out.join(" ").slice(0, length - 1) + ".";
}

// Review i (1..14): author 1..6 round robin, product 1..7 round robin, body 150..450 chars.
export const REVIEWS = Array.from({ length: 14 }, (_, index) => {
  const i = index + 1;
  return {
    id: String(i),
    body: body(i, 150 + ((i * 137) % 301)),
    authorId: String(((i - 1) % 6) + 1),
    upc: String(((i - 1) % 7) + 1),
  };
});
