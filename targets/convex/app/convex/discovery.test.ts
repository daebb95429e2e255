import { describe, expect, test } from "vitest";
import { call, count, newTest } from "./test.helpers";

describe("discovery and health", () => {
  test("GET /contract declares the integrated model, its capabilities and runafter as default", async () => {
    const res = await call(newTest(), "GET", "/contract");
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("application/json");
    expect(res.json).toEqual({
      contract: 1,
      name: "convex",
      model: "integrated",
      capabilities: ["http", "items", "items.reads", "webhook", "schedule", "subscribe"],
      schedule_via: ["runafter", "cron"],
    });
  });

  test("GET /health answers 200 and writes nothing", async () => {
    const t = newTest();
    const res = await call(t, "GET", "/health");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: true });
    for (const table of ["items", "events", "jobs", "messages", "counters"] as const) {
      expect(await count(t, table)).toBe(0);
    }
  });

  test("GET /meters answers 501 and says where Convex meters usage", async () => {
    const res = await call(newTest(), "GET", "/meters");
    expect(res.status).toBe(501);
    expect(res.json.error).toMatch(/dashboard/);
  });

  test("GET /channels/{name}/subscribe answers 501 and names the query to subscribe to", async () => {
    const res = await call(newTest(), "GET", "/channels/chat/subscribe");
    expect(res.status).toBe(501);
    expect(res.json.error).toContain("channels:latest");
  });

  test("an unknown route under /channels/ answers 404", async () => {
    const res = await call(newTest(), "GET", "/channels/chat/other");
    expect(res.status).toBe(404);
    expect(res.json.error).toContain("/channels/chat/other");
  });
});
