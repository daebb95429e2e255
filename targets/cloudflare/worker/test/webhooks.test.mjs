// POST /webhooks/stripe and /webhooks/events/check: signatures, staleness,
// malformed deliveries, duplicates, and the missing-secret case.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { request, SECRET, sign, startServer } from "./server.mjs";

let server;
let url;
before(async () => {
  server = await startServer();
  url = server.url;
});
after(() => server?.stop());

function event(id) {
  return JSON.stringify({ id, type: "payment_intent.succeeded", created: Math.floor(Date.now() / 1000), data: { object: { amount: 100 } } });
}

async function deliver(body, signature) {
  const headers = signature === undefined ? {} : { "stripe-signature": signature };
  return request(`${url}/webhooks/stripe`, "POST", body, headers);
}

async function counts(ids) {
  const res = await request(`${url}/webhooks/events/check`, "POST", { ids });
  assert.equal(res.status, 200);
  return res.body.counts;
}

describe("valid deliveries", () => {
  test("a signed event is stored once and its replay is reported as a duplicate", async () => {
    const body = event("evt_once");
    const first = await deliver(body, sign(body));
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { received: true, duplicate: false });
    const replay = await deliver(body, sign(body));
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, { received: true, duplicate: true });
    assert.deepEqual(await counts(["evt_once"]), { evt_once: 1 });
  });

  test("concurrent deliveries of one id store one row and one is not a duplicate", async () => {
    const body = event("evt_race");
    const results = await Promise.all(Array.from({ length: 8 }, () => deliver(body, sign(body))));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(results.filter((r) => r.body.duplicate === false).length, 1);
    assert.deepEqual(await counts(["evt_race"]), { evt_race: 1 });
  });

  test("any matching v1 entry among several is enough", async () => {
    const body = event("evt_rotated");
    const t = Math.floor(Date.now() / 1000);
    const good = sign(body, { t }).split(",v1=")[1];
    const forged = sign(body, { t, secret: "whsec_old" }).split(",v1=")[1];
    const res = await deliver(body, `t=${t},v1=${forged},v1=${good}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.duplicate, false);
  });

  test("a timestamp 299 s old is still accepted", async () => {
    const body = event("evt_old_but_ok");
    const res = await deliver(body, sign(body, { t: Math.floor(Date.now() / 1000) - 299 }));
    assert.equal(res.status, 200);
  });
});

describe("refused deliveries store nothing", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases = [
    ["no Stripe-Signature header", (b) => undefined],
    ["an empty header", () => ""],
    ["a header without v1", () => `t=${now()}`],
    ["a header without t", (b) => sign(b).replace(/^t=\d+,/, "")],
    ["a non-numeric t", (b) => sign(b).replace(/^t=\d+/, "t=soon")],
    ["a part without =", (b) => `${sign(b)},garbage`],
    ["a v1 that is not hex", () => `t=${now()},v1=zz${"0".repeat(62)}`],
    ["a signature made with another secret", (b) => sign(b, { secret: "whsec_attacker" })],
    ["a signature of another body", (b) => sign(b.replace("100", "999"))],
    ["a signature over another timestamp", (b) => sign(b).replace(/^t=(\d+)/, (_, t) => `t=${Number(t) - 1}`)],
    ["a truncated signature", (b) => sign(b).slice(0, -2)],
    ["a timestamp 301 s old", (b) => sign(b, { t: now() - 301 })],
    ["a timestamp a day old", (b) => sign(b, { t: now() - 86400 })],
  ];
  cases.forEach(([what, header], i) => {
    test(`${what} gets 400`, async () => {
      const id = `evt_refused_${i}`;
      const body = event(id);
      const res = await deliver(body, header(body));
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(typeof res.body.error, "string");
      assert.ok(!JSON.stringify(res.body).includes(SECRET), "the error must not carry the secret");
      assert.deepEqual(await counts([id]), { [id]: 0 });
    });
  });

  const malformed = [
    ["malformed JSON", "{not json"],
    ["a JSON array", "[1,2]"],
    ["an event without id", JSON.stringify({ type: "x" })],
    ["an event id with a slash", JSON.stringify({ id: "evt/1" })],
  ];
  for (const [what, body] of malformed) {
    test(`${what} with a valid signature gets 400`, async () => {
      const res = await deliver(body, sign(body));
      assert.equal(res.status, 400);
    });
  }
});

describe("events check", () => {
  test("unknown ids count 0 and an empty list is fine", async () => {
    assert.deepEqual(await counts(["evt_never", "evt_once"]), { evt_never: 0, evt_once: 1 });
    assert.deepEqual(await counts([]), {});
  });

  test("more than 1000 ids, or a bad id, gets 400", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `evt_${i}`);
    assert.equal((await request(`${url}/webhooks/events/check`, "POST", { ids: many })).status, 400);
    assert.equal((await request(`${url}/webhooks/events/check`, "POST", { ids: ["ok", "not ok"] })).status, 400);
    assert.equal((await request(`${url}/webhooks/events/check`, "POST", { id: [] })).status, 400);
  });

  test("1000 ids are answered in one request", async () => {
    const many = Array.from({ length: 1000 }, (_, i) => `evt_bulk_${i}`);
    const res = await request(`${url}/webhooks/events/check`, "POST", { ids: many });
    assert.equal(res.status, 200);
    assert.equal(Object.keys(res.body.counts).length, 1000);
  });
});

describe("without a webhook secret", () => {
  let bare;
  before(async () => {
    bare = await startServer({ secret: null });
  });
  after(() => bare?.stop());

  test("the Worker does not claim the webhook capability and answers 501", async () => {
    const contract = await request(`${bare.url}/contract`);
    assert.ok(!contract.body.capabilities.includes("webhook"));
    const body = event("evt_nosecret");
    const res = await request(`${bare.url}/webhooks/stripe`, "POST", body, { "stripe-signature": sign(body) });
    assert.equal(res.status, 501);
  });
});
