// Request and response rules every route of contract v1 shares.

// Ids and channel names: at most 128 bytes of [A-Za-z0-9_:.-].
const ID = /^[A-Za-z0-9_:.-]{1,128}$/;

// Bodies are at most 64 KiB.
export const MAX_BODY_BYTES = 64 * 1024;

// At most this many ids in one /check request.
export const MAX_CHECK_IDS = 1000;

// HttpError is an error the client caused or must see; anything else
// thrown by a handler is a 500 with no detail.
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function badRequest(message) {
  return new HttpError(400, message);
}

export function json(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

export function errorResponse(status, message) {
  return json(status, { error: message });
}

export function isId(s) {
  return typeof s === "string" && ID.test(s);
}

export function checkId(s, what) {
  if (!isId(s)) {
    throw badRequest(`${what} must be 1 to 128 characters of [A-Za-z0-9_:.-]`);
  }
  return s;
}

// readBody returns the raw body bytes, refusing bodies over the limit.
// The body is read whole even then: answering before the client has sent
// it makes the runtime reset the connection, which a client reusing
// connections would see as a failure of its next request.
export async function readBody(request) {
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw badRequest(`body over ${MAX_BODY_BYTES} bytes`);
  }
  return bytes;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// parseJSON decodes UTF-8 JSON bytes, or throws a 400.
export function parseJSON(bytes) {
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw badRequest("body is not UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("body is not valid JSON");
  }
}

// readObject reads a body that must be a JSON object.
export async function readObject(request) {
  const body = parseJSON(await readBody(request));
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest("body must be a JSON object");
  }
  return body;
}

// readIds reads {"ids": [...]} as the /check routes take it.
export async function readIds(request) {
  const body = await readObject(request);
  const ids = body.ids;
  if (!Array.isArray(ids)) {
    throw badRequest('body must be {"ids": [...]}');
  }
  if (ids.length > MAX_CHECK_IDS) {
    throw badRequest(`at most ${MAX_CHECK_IDS} ids per request`);
  }
  for (const id of ids) {
    checkId(id, "every id");
  }
  return ids;
}
