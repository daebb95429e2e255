// One Durable Object per channel: the single owner of the channel's
// subscribers and of its message log.
//
// Subscribers are accepted with the WebSocket hibernation API, so an idle
// channel costs no duration while its sockets stay open. Each message is
// written to the object's SQLite storage and synced before any frame goes
// out, so a subscriber never sees what a crash could take back, and seq
// rises by one per message in the log.
import { DurableObject } from "cloudflare:workers";
import { Meter } from "./meters.js";

export function channelObject(env, name) {
  return env.CHANNELS.get(env.CHANNELS.idFromName(name));
}

export class Channel extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // dedup is set by publishers that may send the same message twice (a
    // retried job); NULLs never conflict, so plain messages are unaffected.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq          INTEGER PRIMARY KEY,
      payload      TEXT NOT NULL,
      committed_at REAL NOT NULL,
      dedup        TEXT UNIQUE
    )`);
    this.lastSeq = this.sql.exec("SELECT COALESCE(MAX(seq), 0) AS seq FROM messages").one().seq;
    this.meter = new Meter(env, (p) => ctx.waitUntil(p));
    // Application-level pings are answered by the runtime without waking
    // the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  // fetch takes the subscribe request (a WebSocket upgrade).
  async fetch() {
    this.meter.add("do_requests");
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  // publish appends one message (payload as JSON text) and returns its
  // {seq, committed_at} once it is durable.
  async publish(channel, payload) {
    this.meter.add("do_requests");
    const [ack] = await this.append(channel, [{ payload, dedup: null }]);
    return ack;
  }

  // publishMany appends several messages in one call; a message whose dedup
  // key is already in the log is dropped.
  async publishMany(channel, messages) {
    this.meter.add("do_requests");
    await this.append(channel, messages);
  }

  async append(channel, messages) {
    const committedAt = Date.now();
    const name = JSON.stringify(channel);
    const frames = [];
    const acks = [];
    for (const { payload, dedup } of messages) {
      const seq = this.lastSeq + 1;
      const cursor = this.sql.exec(
        `INSERT INTO messages (seq, payload, committed_at, dedup) VALUES (?, ?, ?, ?)
         ON CONFLICT (dedup) DO NOTHING`,
        seq,
        payload,
        committedAt,
        dedup,
      );
      cursor.toArray();
      if (cursor.rowsWritten === 0) {
        acks.push(null);
        continue;
      }
      this.lastSeq = seq;
      frames.push(
        `{"channel":${name},"seq":${seq},"payload":${payload},"committed_at":${committedAt}}`,
      );
      acks.push({ seq, committed_at: committedAt });
    }
    await this.ctx.storage.sync();
    const sockets = this.ctx.getWebSockets();
    for (const frame of frames) {
      for (const ws of sockets) {
        try {
          ws.send(frame);
        } catch {
          // A socket closing right now misses the frame, as it would a
          // frame sent a moment later.
        }
      }
    }
    return acks;
  }

  webSocketMessage() {
    this.meter.add("do_ws_messages_in");
  }

  webSocketClose(ws, code, reason) {
    // Echo the peer's close code where the protocol lets us send it back.
    const echo = code >= 1000 && code <= 4999 && ![1005, 1006, 1015].includes(code) ? code : 1000;
    try {
      ws.close(echo, reason);
    } catch {
      // Already closed on our side.
    }
  }
}
