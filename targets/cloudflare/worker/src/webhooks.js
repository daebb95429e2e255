// POST /webhooks/stripe and /webhooks/events/check.
//
// Stripe-style signatures: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=...]`,
// HMAC-SHA256 over "<t>.<raw body>" keyed with the secret's bytes. Errors
// name what is wrong, never the secret or a signature.
import { all, run } from "./d1.js";
import { badRequest, checkId, HttpError, parseJSON, readBody, readIds } from "./http.js";

export const TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

// The imported key is cached per isolate: importKey is not free, and the
// secret only changes with a redeploy.
let cachedKey = { secret: null, key: null };

function hmacKey(secret) {
  if (cachedKey.secret !== secret) {
    cachedKey = {
      secret,
      key: crypto.subtle.importKey(
        "raw",
        encoder.encode(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      ),
    };
  }
  return cachedKey.key;
}

// parseSignature splits the header into its timestamp (as sent: the
// signed content uses these exact characters) and its v1 signatures.
export function parseSignature(header) {
  if (!header) {
    return null;
  }
  let t = null;
  const signatures = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      return null;
    }
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      t = value;
    } else if (key === "v1") {
      const sig = fromHex(value);
      if (!sig) {
        return null;
      }
      signatures.push(sig);
    }
  }
  if (t === null || !/^[0-9]{1,15}$/.test(t) || signatures.length === 0) {
    return null;
  }
  return { t, signatures };
}

function fromHex(s) {
  if (s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s)) {
    return null;
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

// verifySignature checks the header against the body at nowMs. It throws a
// 400 naming the failure. crypto.subtle.verify compares in constant time;
// every v1 entry is checked so the time taken does not tell which matched.
export async function verifySignature(secret, header, body, nowMs) {
  const parsed = parseSignature(header);
  if (!parsed) {
    throw badRequest("missing or malformed Stripe-Signature header");
  }
  const prefix = encoder.encode(parsed.t + ".");
  const signed = new Uint8Array(prefix.byteLength + body.byteLength);
  signed.set(prefix, 0);
  signed.set(body, prefix.byteLength);
  const key = await hmacKey(secret);
  let matched = false;
  for (const sig of parsed.signatures) {
    if (await crypto.subtle.verify("HMAC", key, sig, signed)) {
      matched = true;
    }
  }
  if (!matched) {
    throw badRequest("no matching v1 signature");
  }
  if (nowMs / 1000 - Number(parsed.t) > TOLERANCE_SECONDS) {
    throw badRequest("signature timestamp older than the tolerance");
  }
}

// receiveWebhook verifies, then stores the event once per id.
export async function receiveWebhook(env, meter, request) {
  const secret = env.VERSUS_WEBHOOK_SECRET;
  if (!secret) {
    throw new HttpError(501, "webhooks need the VERSUS_WEBHOOK_SECRET secret");
  }
  const body = await readBody(request);
  await verifySignature(secret, request.headers.get("stripe-signature"), body, Date.now());
  const event = parseJSON(body);
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw badRequest("event must be a JSON object");
  }
  checkId(event.id, "event id");
  const type = typeof event.type === "string" ? event.type : null;
  const created = Number.isInteger(event.created) ? event.created : null;
  // Insert-if-absent in one statement: of two concurrent deliveries of one
  // id, exactly one inserts and the other sees a duplicate.
  const changed = await run(
    meter,
    env.DB.prepare(
      `INSERT INTO events (id, type, created, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (id) DO NOTHING`,
    ).bind(event.id, type, created, new TextDecoder().decode(body), Date.now()),
  );
  return { received: true, duplicate: changed === 0 };
}

// countEvents answers /webhooks/events/check: rows stored per id.
export async function countEvents(env, meter, request) {
  const ids = await readIds(request);
  const counts = Object.fromEntries(ids.map((id) => [id, 0]));
  if (ids.length > 0) {
    // One bound parameter (D1 allows 100 per query) carrying every id.
    const rows = await all(
      meter,
      env.DB.prepare(
        `SELECT id, COUNT(*) AS n FROM events
         WHERE id IN (SELECT value FROM json_each(?1)) GROUP BY id`,
      ).bind(JSON.stringify(ids)),
    );
    for (const row of rows) {
      counts[row.id] = row.n;
    }
  }
  return { counts };
}
