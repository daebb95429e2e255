// Stripe-style webhook signatures as contract v1 defines them: header
// `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>...]`, where hex is
// HMAC-SHA256 over the bytes "<t>.<raw body>" keyed with the secret's bytes.
// Verification uses WebCrypto, which the Convex runtime provides without
// a Node action.

export const SIGNATURE_HEADER = "Stripe-Signature";
export const TOLERANCE_MS = 300_000;

// Reasons never include the secret or a signature.
export const MALFORMED = "malformed Stripe-Signature header";
export const NO_MATCH = "no matching v1 signature";
export const STALE = "signature timestamp outside the tolerance";

const encoder = new TextEncoder();

// verifySignature returns null when header signs body and its timestamp is
// at most TOLERANCE_MS old at nowMs, or the reason it does not. Every v1
// entry is compared, in constant time, so the time taken does not tell
// which one matched or how much of one did.
export async function verifySignature(
  secret: string,
  header: string,
  body: Uint8Array,
  nowMs: number,
): Promise<string | null> {
  let timestamp: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const part of header.split(",")) {
    const entry = part.trim();
    const eq = entry.indexOf("=");
    if (eq < 0) {
      return MALFORMED;
    }
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    if (key === "t") {
      timestamp = value;
    } else if (key === "v1") {
      const signature = decodeHex(value);
      if (signature === null) {
        return MALFORMED;
      }
      signatures.push(signature);
    }
  }
  if (timestamp === undefined || !/^[0-9]{1,15}$/.test(timestamp) || signatures.length === 0) {
    return MALFORMED;
  }
  const expected = await hmacSha256(secret, concat(encoder.encode(timestamp + "."), body));
  let matched = false;
  for (const signature of signatures) {
    if (equalConstantTime(signature, expected)) {
      matched = true;
    }
  }
  if (!matched) {
    return NO_MATCH;
  }
  if (nowMs - Number(timestamp) * 1000 > TOLERANCE_MS) {
    return STALE;
  }
  return null;
}

async function hmacSha256(secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

// The length is public (a SHA-256 MAC is 32 bytes), so only the contents
// are compared without an early exit.
function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    diff |= a[i] ^ b[i];
  }
  return diff === 0;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function decodeHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    return null;
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}
