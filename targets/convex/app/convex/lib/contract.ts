// The rules contract v1 sets for every route: id alphabet, body size,
// batch sizes, and the JSON shape of answers and errors. The HTTP actions
// check requests here before they touch a function that writes.

export const MAX_ID_BYTES = 128;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_CHECK_IDS = 1000;
export const MAX_READS = 100;
export const MAX_DELAY_MS = 24 * 60 * 60 * 1000;

// ASCII only, so a string's length is its length in bytes. The alphabet
// needs no escaping in a URL path, so an id taken from a raw path that
// still holds a "%" is already invalid.
const ID = /^[A-Za-z0-9_:.-]{1,128}$/;

export function isValidId(id: unknown): id is string {
  return typeof id === "string" && ID.test(id);
}

export function invalidIdMessage(field: string, id: string): string {
  const bytes = new TextEncoder().encode(id).byteLength;
  if (bytes > MAX_ID_BYTES) {
    return `${field} is ${bytes} bytes; contract v1 allows at most ${MAX_ID_BYTES}`;
  }
  return `${field} ${JSON.stringify(id)} is not 1 to ${MAX_ID_BYTES} bytes of [A-Za-z0-9_:.-]`;
}

export function json(status: number, body: unknown): Response {
  return jsonText(status, JSON.stringify(body));
}

// jsonText answers with JSON already encoded (a stored value spliced in).
export function jsonText(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function errorResponse(status: number, message: string): Response {
  return json(status, { error: message });
}

export function badRequest(message: string): Response {
  return errorResponse(400, message);
}

// A request failure is an answer to send back instead of going on.
export type Failure = { failure: Response };

export function isFailure(x: unknown): x is Failure {
  return typeof x === "object" && x !== null && "failure" in x;
}

// readBody returns the raw body, or a 400 when it is over the limit. The
// declared length is checked first so an oversized body is not buffered.
export async function readBody(request: Request): Promise<Uint8Array | Failure> {
  const tooLarge = { failure: badRequest(`body larger than ${MAX_BODY_BYTES / 1024} KiB`) };
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    return tooLarge;
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_BODY_BYTES) {
    return tooLarge;
  }
  return body;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// parseObject decodes a body that must be a JSON object.
export function parseObject(body: Uint8Array, what = "body"): Record<string, unknown> | Failure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (e) {
    return { failure: badRequest(`malformed JSON ${what}: ${(e as Error).message}`) };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { failure: badRequest(`${what} must be a JSON object`) };
  }
  return parsed as Record<string, unknown>;
}

// readObject reads and decodes a JSON object body.
export async function readObject(request: Request): Promise<Record<string, unknown> | Failure> {
  const body = await readBody(request);
  return isFailure(body) ? body : parseObject(body);
}

// readIds reads `{"ids": [...]}` of at most MAX_CHECK_IDS valid ids.
export async function readIds(request: Request): Promise<string[] | Failure> {
  const body = await readObject(request);
  if (isFailure(body)) {
    return body;
  }
  const ids = body.ids;
  if (!Array.isArray(ids)) {
    return { failure: badRequest('body needs an "ids" array') };
  }
  if (ids.length > MAX_CHECK_IDS) {
    return { failure: badRequest(`${ids.length} ids; at most ${MAX_CHECK_IDS} per request`) };
  }
  for (const id of ids) {
    if (typeof id !== "string") {
      return { failure: badRequest(`id ${JSON.stringify(id)} is not a string`) };
    }
    if (!isValidId(id)) {
      return { failure: badRequest(invalidIdMessage("id", id)) };
    }
  }
  return ids as string[];
}

// pathId returns the part of the request path after prefix, checked as an id.
export function pathId(request: Request, prefix: string): string | Failure {
  const id = new URL(request.url).pathname.slice(prefix.length);
  return isValidId(id) ? id : { failure: badRequest(invalidIdMessage("id", id)) };
}
