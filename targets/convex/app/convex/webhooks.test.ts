import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { MALFORMED, NO_MATCH, STALE, verifySignature } from "./lib/stripeSignature";
import { call, count, newTest, nowSeconds, sign, type Test } from "./test.helpers";

const SECRET = "whsec_versus_test_secret";

function event(id: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    type: "charge.succeeded",
    created: nowSeconds(),
    data: { object: { amount: 100 } },
    ...extra,
  });
}

async function deliver(t: Test, body: string, header?: string) {
  const headers: Record<string, string> = {};
  if (header !== undefined) {
    headers["Stripe-Signature"] = header;
  }
  return call(t, "POST", "/webhooks/stripe", body, headers);
}

describe("signature verification", () => {
  const encoder = new TextEncoder();
  const body = encoder.encode('{"id":"evt_vector","type":"charge.succeeded"}');
  // Computed apart from this code: HMAC-SHA256("whsec_test_vector", "1700000000." + body).
  const vector = "6e10142c4b4e61ac1ba70c5cf8962b7002e6b00a09abcdde36dd0616b6202a11";
  const at = 1_700_000_000_000;

  test("accepts a known test vector", async () => {
    expect(await verifySignature("whsec_test_vector", `t=1700000000,v1=${vector}`, body, at)).toBeNull();
  });

  test("accepts upper-case hex and spaces around entries", async () => {
    expect(
      await verifySignature("whsec_test_vector", ` t=1700000000 , v1=${vector.toUpperCase()}`, body, at),
    ).toBeNull();
  });

  test("accepts when any one of several v1 entries matches", async () => {
    const header = `t=1700000000,v1=${"0".repeat(64)},v0=ignored,v1=${vector}`;
    expect(await verifySignature("whsec_test_vector", header, body, at)).toBeNull();
  });

  test("accepts a timestamp exactly 300 s old and refuses one 301 s old", async () => {
    const header = `t=1700000000,v1=${vector}`;
    expect(await verifySignature("whsec_test_vector", header, body, at + 300_000)).toBeNull();
    expect(await verifySignature("whsec_test_vector", header, body, at + 301_000)).toBe(STALE);
  });

  test("refuses a body changed by one byte", async () => {
    const changed = encoder.encode('{"id":"evt_vector","type":"charge.succeedeD"}');
    expect(await verifySignature("whsec_test_vector", `t=1700000000,v1=${vector}`, changed, at)).toBe(NO_MATCH);
  });

  test("refuses another secret", async () => {
    expect(await verifySignature("whsec_other", `t=1700000000,v1=${vector}`, body, at)).toBe(NO_MATCH);
  });

  test.each([
    ["an empty header", ""],
    ["no timestamp", `v1=${vector}`],
    ["no v1 entry", "t=1700000000"],
    ["a timestamp that is not a number", `t=soon,v1=${vector}`],
    ["hex of odd length", `t=1700000000,v1=${vector}0`],
    ["a v1 that is not hex", `t=1700000000,v1=${"z".repeat(64)}`],
    ["an entry without =", `t=1700000000,v1=${vector},junk`],
  ])("calls %s malformed", async (_name, header) => {
    expect(await verifySignature("whsec_test_vector", header, body, at)).toBe(MALFORMED);
  });
});

describe("POST /webhooks/stripe", () => {
  beforeEach(() => {
    vi.stubEnv("VERSUS_WEBHOOK_SECRET", SECRET);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test("stores a validly signed event once and reports a replay as a duplicate", async () => {
    const t = newTest();
    const body = event("evt_1");
    const first = await deliver(t, body, await sign(SECRET, nowSeconds(), body));
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: true, duplicate: false });
    const replay = await deliver(t, body, await sign(SECRET, nowSeconds(), body));
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ received: true, duplicate: true });
    const rows = await t.run((ctx) => ctx.db.query("events").collect());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: "evt_1", type: "charge.succeeded", body });
  });

  test("concurrent deliveries of one id store one row and one non-duplicate", async () => {
    const t = newTest();
    const body = event("evt_race");
    const header = await sign(SECRET, nowSeconds(), body);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(t, body, header)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.json.duplicate === false)).toHaveLength(1);
    expect(await count(t, "events")).toBe(1);
  });

  const refusals: [string, () => Promise<[string, string | undefined]>][] = [
    ["no signature header", async () => [event("evt_x"), undefined]],
    ["a malformed header", async () => [event("evt_x"), "garbage"]],
    [
      "a signature made with another secret",
      async () => {
        const body = event("evt_x");
        return [body, await sign("whsec_forged", nowSeconds(), body)];
      },
    ],
    ["a signature over another body", async () => [event("evt_x"), await sign(SECRET, nowSeconds(), event("evt_y"))]],
    [
      "a timestamp 301 s old",
      async () => {
        const body = event("evt_x");
        return [body, await sign(SECRET, nowSeconds() - 301, body)];
      },
    ],
    [
      "malformed JSON with a valid signature",
      async () => {
        const body = '{"id": "evt_x",';
        return [body, await sign(SECRET, nowSeconds(), body)];
      },
    ],
    ["a JSON array with a valid signature", async () => ["[1]", await sign(SECRET, nowSeconds(), "[1]")]],
    [
      "an event without id",
      async () => {
        const body = JSON.stringify({ type: "x" });
        return [body, await sign(SECRET, nowSeconds(), body)];
      },
    ],
    [
      "an event id that is not a string",
      async () => {
        const body = event(42);
        return [body, await sign(SECRET, nowSeconds(), body)];
      },
    ],
    [
      "an event id with bad characters",
      async () => {
        const body = event("evt 1");
        return [body, await sign(SECRET, nowSeconds(), body)];
      },
    ],
    [
      "a body over 64 KiB",
      async () => {
        const body = event("evt_big", { pad: "x".repeat(64 * 1024) });
        return [body, await sign(SECRET, nowSeconds(), body)];
      },
    ],
  ];
  test.each(refusals)("refuses %s with 400 and stores nothing", async (_name, make) => {
    const t = newTest();
    const [body, header] = await make();
    const res = await deliver(t, body, header);
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe("string");
    expect(res.text).not.toContain(SECRET);
    expect(await count(t, "events")).toBe(0);
  });

  test("without a configured secret answers 500 saying how to set it, and stores nothing", async () => {
    vi.stubEnv("VERSUS_WEBHOOK_SECRET", "");
    const t = newTest();
    const body = event("evt_1");
    const res = await deliver(t, body, await sign(SECRET, nowSeconds(), body));
    expect(res.status).toBe(500);
    expect(res.json.error).toContain("npx convex env set VERSUS_WEBHOOK_SECRET");
    expect(await count(t, "events")).toBe(0);
  });
});

describe("POST /webhooks/events/check", () => {
  beforeEach(() => {
    vi.stubEnv("VERSUS_WEBHOOK_SECRET", SECRET);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  test("counts the rows stored per id, 0 for ids never stored", async () => {
    const t = newTest();
    for (const id of ["evt_1", "evt_2"]) {
      const body = event(id);
      await deliver(t, body, await sign(SECRET, nowSeconds(), body));
    }
    const res = await call(t, "POST", "/webhooks/events/check", { ids: ["evt_1", "evt_2", "evt_3"] });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ counts: { evt_1: 1, evt_2: 1, evt_3: 0 } });
  });

  test("accepts 1000 ids", async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `evt_${i}`);
    const res = await call(newTest(), "POST", "/webhooks/events/check", { ids });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.counts)).toHaveLength(1000);
  });

  test.each([
    ["1001 ids", { ids: Array.from({ length: 1001 }, (_, i) => `evt_${i}`) }],
    ["no ids field", {}],
    ["ids that is not an array", { ids: "evt_1" }],
    ["an id that is not a string", { ids: [1] }],
    ["an invalid id", { ids: ["evt 1"] }],
    ["a body that is not JSON", "ids"],
  ])("answers 400 for %s", async (_name, body) => {
    const res = await call(newTest(), "POST", "/webhooks/events/check", body);
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe("string");
  });
});
