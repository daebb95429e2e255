// PUT/GET /items/{id} on D1.
import { all } from "./d1.js";
import { badRequest, HttpError, readObject } from "./http.js";

// The most sequential reads one GET may ask for: D1's limit of queries per
// Worker invocation on the Paid plan.
export const MAX_READS = 1000;

export async function putItem(env, meter, id, request) {
  const body = await readObject(request);
  if (!("value" in body)) {
    throw badRequest('body must be {"value": any}');
  }
  // One statement: the version bump cannot race another PUT of the same id.
  const rows = await all(
    meter,
    env.DB.prepare(
      `INSERT INTO items (id, value, version) VALUES (?1, ?2, 1)
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = items.version + 1
       RETURNING version`,
    ).bind(id, JSON.stringify(body.value)),
  );
  return { id, version: rows[0].version };
}

// getItem reads the item `reads` times in sequence, as a chatty handler
// would, and answers with the last read.
export async function getItem(env, meter, id, url) {
  const reads = parseReads(url.searchParams.get("reads"));
  const statement = env.DB.prepare("SELECT value, version FROM items WHERE id = ?1").bind(id);
  let row;
  for (let i = 0; i < reads; i++) {
    [row] = await all(meter, statement);
  }
  if (!row) {
    throw new HttpError(404, "no such item");
  }
  return { id, value: JSON.parse(row.value), version: row.version };
}

function parseReads(raw) {
  if (raw === null) {
    return 1;
  }
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < 1 || n > MAX_READS) {
    throw badRequest(`reads must be an integer from 1 to ${MAX_READS}`);
  }
  return n;
}
