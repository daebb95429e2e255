// Discovery, health, items, the shared request rules, and meters.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { request, startServer } from "./server.mjs";

let server;
let url;
before(async () => {
  server = await startServer();
  url = server.url;
});
after(() => server?.stop());

describe("discovery", () => {
  test("GET /contract declares contract 1, the edge model and every capability", async () => {
    const res = await request(`${url}/contract`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /application\/json/);
    assert.deepEqual(res.body, {
      contract: 1,
      name: "cloudflare",
      model: "edge",
      capabilities: ["http", "items", "items.reads", "webhook", "schedule", "subscribe", "meters"],
      schedule_via: ["alarm", "queue", "cron"],
    });
  });

  test("GET /health answers 200", async () => {
    const res = await request(`${url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { ok: true });
  });
});

describe("items", () => {
  test("PUT creates version 1 and each PUT adds one", async () => {
    assert.deepEqual((await request(`${url}/items/item_1`, "PUT", { value: { a: 1 } })).body, {
      id: "item_1",
      version: 1,
    });
    const second = await request(`${url}/items/item_1`, "PUT", { value: [1, "two", null] });
    assert.equal(second.status, 200);
    assert.equal(second.body.version, 2);
    const got = await request(`${url}/items/item_1`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, { id: "item_1", value: [1, "two", null], version: 2 });
  });

  test("concurrent PUTs of one id get distinct versions", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => request(`${url}/items/racy`, "PUT", { value: i })),
    );
    const versions = results.map((r) => r.body.version).sort((a, b) => a - b);
    assert.deepEqual(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test("GET with reads=N reads D1 N times", async () => {
    await request(`${url}/items/chatty`, "PUT", { value: "x" });
    const before = (await request(`${url}/meters`)).body.units.d1_rows_read;
    const res = await request(`${url}/items/chatty?reads=7`);
    assert.equal(res.status, 200);
    assert.equal(res.body.value, "x");
    const after = (await request(`${url}/meters`)).body.units.d1_rows_read;
    assert.ok(after - before >= 7, `d1_rows_read rose by ${after - before}, want at least 7`);
  });

  test("GET of an unknown id answers 404", async () => {
    const res = await request(`${url}/items/never_put`);
    assert.equal(res.status, 404);
    assert.ok(res.body.error);
  });

  const bad = [
    ["an id with a space", "PUT", "/items/a%20b", { value: 1 }],
    ["an id over 128 bytes", "PUT", `/items/${"x".repeat(129)}`, { value: 1 }],
    ["an empty id", "GET", "/items/", undefined],
    ["a body that is not JSON", "PUT", "/items/ok", "{nope"],
    ["a body without value", "PUT", "/items/ok", { val: 1 }],
    ["a body that is an array", "PUT", "/items/ok", [1]],
    ["a body over 64 KiB", "PUT", "/items/ok", { value: "x".repeat(65536) }],
    ["reads=0", "GET", "/items/item_1?reads=0", undefined],
    ["reads=abc", "GET", "/items/item_1?reads=abc", undefined],
    ["reads=1001", "GET", "/items/item_1?reads=1001", undefined],
  ];
  for (const [what, method, path, body] of bad) {
    test(`${what} is refused with 400 and changes nothing`, async () => {
      const res = await request(`${url}${path}`, method, body);
      assert.equal(res.status, 400);
      assert.equal(typeof res.body.error, "string");
    });
  }

  test("a refused PUT leaves the item as it was", async () => {
    await request(`${url}/items/ok`, "PUT", "{nope");
    assert.equal((await request(`${url}/items/ok`)).status, 404);
  });
});

describe("routing", () => {
  test("an unknown path answers 404", async () => {
    assert.equal((await request(`${url}/nope`)).status, 404);
  });

  test("a known path with the wrong method answers 405 with Allow", async () => {
    const res = await request(`${url}/health`, "POST", {});
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET");
  });
});

describe("meters", () => {
  test("GET /meters reports every unit and counts requests and D1 writes", async () => {
    const first = (await request(`${url}/meters`)).body;
    assert.equal(typeof first.since, "number");
    for (const unit of ["worker_requests", "do_requests", "do_ws_messages_in", "d1_rows_read", "d1_rows_written", "queue_operations"]) {
      assert.equal(typeof first.units[unit], "number", unit);
    }
    await request(`${url}/items/metered`, "PUT", { value: 1 });
    await request(`${url}/health`);
    const second = (await request(`${url}/meters`)).body;
    assert.equal(second.since, first.since);
    assert.equal(second.units.worker_requests - first.units.worker_requests, 2);
    assert.ok(second.units.d1_rows_written > first.units.d1_rows_written);
  });
});
