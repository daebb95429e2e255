import { describe, expect, test } from "vitest";
import { api } from "./_generated/api";
import { call, count, newTest } from "./test.helpers";

describe("POST /channels/{name}/messages", () => {
  test("seq rises by one per message in a channel, independently per channel", async () => {
    const t = newTest();
    const seqs: Record<string, number[]> = { a: [], b: [] };
    for (const channel of ["a", "a", "b", "a", "b"]) {
      const res = await call(t, "POST", `/channels/${channel}/messages`, { payload: { n: 1 } });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json).sort()).toEqual(["committed_at", "seq"]);
      expect(res.json.committed_at).toBeGreaterThan(0);
      seqs[channel].push(res.json.seq);
    }
    expect(seqs).toEqual({ a: [1, 2, 3], b: [1, 2] });
  });

  test("concurrent publishes to one channel get distinct consecutive seqs", async () => {
    const t = newTest();
    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(t, "POST", "/channels/c/messages", { payload: i })),
    );
    expect(acks.map((a) => a.json.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test.each([
    ["no payload field", "/channels/c/messages", { other: 1 }],
    ["a body that is not JSON", "/channels/c/messages", "payload"],
    ["a body over 64 KiB", "/channels/c/messages", { payload: "x".repeat(64 * 1024) }],
    ["an invalid channel name", "/channels/c%2Fd/messages", { payload: 1 }],
    ["a channel name of 129 bytes", `/channels/${"c".repeat(129)}/messages`, { payload: 1 }],
  ])("%s answers 400 and publishes nothing", async (_name, path, body) => {
    const t = newTest();
    const res = await call(t, "POST", path, body);
    expect(res.status).toBe(400);
    expect(typeof res.json.error).toBe("string");
    expect(await count(t, "messages")).toBe(0);
    expect(await count(t, "counters")).toBe(0);
  });

  test("a payload whose re-encoding outgrows 64 KiB answers 400", async () => {
    const t = newTest();
    // "1e21" is 4 bytes as sent and 5 re-encoded ("1e+21").
    const body = `{"payload":[${Array(12000).fill("1e21").join(",")}]}`;
    expect(body.length).toBeLessThanOrEqual(64 * 1024);
    const res = await call(t, "POST", "/channels/c/messages", body);
    expect(res.status).toBe(400);
    expect(await count(t, "messages")).toBe(0);
  });
});

describe("channels:latest", () => {
  test("returns the newest messages in ascending seq, with payloads as JSON text", async () => {
    const t = newTest();
    for (let i = 1; i <= 25; i++) {
      await call(t, "POST", "/channels/chat/messages", { payload: { i, $k: "kept" } });
    }
    const latest = await t.query(api.channels.latest, { channel: "chat" });
    expect(latest.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    expect(latest[19]).toMatchObject({ channel: "chat", seq: 25 });
    expect(JSON.parse(latest[19].payload)).toEqual({ i: 25, $k: "kept" });
    expect(latest[19].committed_at).toBeGreaterThan(0);

    const three = await t.query(api.channels.latest, { channel: "chat", limit: 3 });
    expect(three.map((m) => m.seq)).toEqual([23, 24, 25]);
  });

  test("a new publish changes its result to include the new message", async () => {
    const t = newTest();
    expect(await t.query(api.channels.latest, { channel: "chat" })).toEqual([]);
    const ack = await t.mutation(api.channels.publish, { channel: "chat", payload: '"hello"' });
    expect(ack.seq).toBe(1);
    expect(await t.query(api.channels.latest, { channel: "chat" })).toEqual([
      { channel: "chat", seq: 1, payload: '"hello"', committed_at: ack.committed_at },
    ]);
    expect(await t.query(api.channels.latest, { channel: "other" })).toEqual([]);
  });

  test.each([0, 101, 1.5])("refuses limit %j", async (limit) => {
    await expect(newTest().query(api.channels.latest, { channel: "chat", limit })).rejects.toThrow(/limit/);
  });
});

describe("channels:publish called directly", () => {
  test.each([
    ["payload that is not JSON text", { channel: "c", payload: "{nope" }, /not JSON/],
    ["invalid channel", { channel: "c d", payload: "1" }, /channel/],
    ["payload over 64 KiB", { channel: "c", payload: JSON.stringify("x".repeat(64 * 1024)) }, /64 KiB/],
  ])("refuses a %s and stores nothing", async (_name, args, message) => {
    const t = newTest();
    await expect(t.mutation(api.channels.publish, args)).rejects.toThrow(message);
    expect(await count(t, "messages")).toBe(0);
  });
});
