import { describe, expect, test } from "vitest";
import type { ActionCtx } from "./_generated/server";
import { getItem } from "./routes/items";
import { call, count, newTest, type Test } from "./test.helpers";

describe("items", () => {
  test("a first put answers version 1 and each later put the next version", async () => {
    const t = newTest();
    for (const version of [1, 2, 3]) {
      const res = await call(t, "PUT", "/items/a", { value: version });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: "a", version });
    }
    expect(await count(t, "items")).toBe(1);
  });

  test("get returns the last value put, whatever JSON it is", async () => {
    const values = [null, 0, 1.5, "text", [1, [2]], { nested: { $dollar: true, _under: "x" } }];
    for (const value of values) {
      const t = newTest();
      await call(t, "PUT", "/items/k:1.x-y_z", { value: "old" });
      await call(t, "PUT", "/items/k:1.x-y_z", { value });
      const res = await call(t, "GET", "/items/k:1.x-y_z");
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: "k:1.x-y_z", value, version: 2 });
    }
  });

  test("get of an id never put answers 404", async () => {
    const res = await call(newTest(), "GET", "/items/missing");
    expect(res.status).toBe(404);
    expect(res.json.error).toContain("missing");
  });

  test("reads=N runs N queries one after another before answering", async () => {
    const t = newTest();
    await call(t, "PUT", "/items/r", { value: { n: 1 } });
    for (const reads of [1, 7, 100]) {
      let queries = 0;
      const ctx = {
        runQuery: (ref: any, args: any) => {
          queries++;
          return t.query(ref, args);
        },
      } as unknown as ActionCtx;
      const res = await getItem(ctx, new Request(`https://x.convex.site/items/r?reads=${reads}`));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: "r", value: { n: 1 }, version: 1 });
      expect(queries).toBe(reads);
    }
  });

  test.each(["0", "101", "-1", "1.5", "x", ""])("reads=%j answers 400", async (reads) => {
    const t = newTest();
    await call(t, "PUT", "/items/r", { value: 1 });
    const res = await call(t, "GET", `/items/r?reads=${reads}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/reads/);
  });

  describe("bad input answers 400 and stores nothing", () => {
    const cases: [string, string, unknown][] = [
      ["an id of 129 bytes", "/items/" + "a".repeat(129), { value: 1 }],
      ["an empty id", "/items/", { value: 1 }],
      ["an id with a percent-encoded space", "/items/a%20b", { value: 1 }],
      ["an id with a slash", "/items/a/b", { value: 1 }],
      ["an id with non-ASCII", "/items/%C3%A9", { value: 1 }],
      ["a body that is not JSON", "/items/a", "{value:"],
      ["a body that is an array", "/items/a", [1]],
      ["a body that is null", "/items/a", "null"],
      ["a body without value", "/items/a", { other: 1 }],
      ["a body over 64 KiB", "/items/a", { value: "x".repeat(64 * 1024) }],
    ];
    test.each(cases)("%s", async (_name, path, body) => {
      const t: Test = newTest();
      const res = await call(t, "PUT", path, body);
      expect(res.status).toBe(400);
      expect(typeof res.json.error).toBe("string");
      expect(await count(t, "items")).toBe(0);
    });
  });

  test("an id of exactly 128 bytes is accepted", async () => {
    const id = "b".repeat(128);
    const t = newTest();
    expect((await call(t, "PUT", `/items/${id}`, { value: 1 })).status).toBe(200);
    expect((await call(t, "GET", `/items/${id}`)).json.id).toBe(id);
  });

  test("get with a bad id answers 400", async () => {
    const res = await call(newTest(), "GET", "/items/bad%21");
    expect(res.status).toBe(400);
  });
});
