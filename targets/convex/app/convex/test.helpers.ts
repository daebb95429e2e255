// Shared by the *.test.ts files. The two dots in the name keep Convex from
// deploying it, and vitest from running it as a test file.
import { convexTest } from "convex-test";
import schema from "./schema";

// Every module but tests and helpers (names with two dots).
export const modules = import.meta.glob("./**/!(*.*.*)*.*s");

export function newTest() {
  return convexTest(schema, modules);
}

export type Test = ReturnType<typeof newTest>;

export async function call(
  t: Test,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  }
  const response = await t.fetch(path, init);
  const text = await response.text();
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // Not every answer is JSON (Convex's own 404 for an unrouted path).
  }
  return { status: response.status, json, text, contentType: response.headers.get("Content-Type") };
}

// sign computes a Stripe-Signature header with its own HMAC, apart from the
// code under test, so a shared mistake cannot make both sides agree.
export async function sign(secret: string, unixSeconds: number, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${unixSeconds}.${body}`)));
  const hex = Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
  return `t=${unixSeconds},v1=${hex}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

// count returns how many rows a table holds.
export async function count(t: Test, table: "items" | "events" | "jobs" | "messages" | "counters"): Promise<number> {
  return (await t.run((ctx) => ctx.db.query(table).collect())).length;
}
