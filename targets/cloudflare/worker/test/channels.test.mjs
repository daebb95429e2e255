// Channels: WebSocket subscribers (hibernation API), POST messages, seq per
// channel, and the log surviving a restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { request, startServer, subscribe } from "./server.mjs";

let server;
let url;
before(async () => {
  server = await startServer();
  url = server.url;
});
after(() => server?.stop());

async function publish(channel, payload) {
  const res = await request(`${url}/channels/${channel}/messages`, "POST", { payload });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

describe("publish and subscribe", () => {
  test("every subscriber gets every message after its upgrade, in seq order, with the ack's seq and time", async () => {
    const a = await subscribe(url, "room");
    const b = await subscribe(url, "room");
    const acks = [];
    for (let i = 0; i < 5; i++) {
      acks.push(await publish("room", { n: i, text: "hello" }));
    }
    assert.deepEqual(acks.map((x) => x.seq), [1, 2, 3, 4, 5]);
    for (const sub of [a, b]) {
      const frames = await sub.waitFor((f) => f.length >= 5);
      assert.deepEqual(
        frames,
        acks.map((ack, i) => ({ channel: "room", seq: ack.seq, payload: { n: i, text: "hello" }, committed_at: ack.committed_at })),
      );
      sub.close();
    }
  });

  test("channels count seq apart", async () => {
    assert.equal((await publish("other", "x")).seq, 1);
    assert.equal((await publish("room", "y")).seq, 6);
  });

  test("a subscriber sees nothing from before its upgrade", async () => {
    await publish("late", 1);
    const sub = await subscribe(url, "late");
    await publish("late", 2);
    const frames = await sub.waitFor((f) => f.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(frames.map((f) => f.payload), [2]);
    sub.close();
  });

  test("messages a subscriber sends are counted as incoming WebSocket messages", async () => {
    const before = (await request(`${url}/meters`)).body.units.do_ws_messages_in;
    const sub = await subscribe(url, "chatty");
    sub.ws.send("hello");
    sub.ws.send("again");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await request(`${url}/meters`)).body.units.do_ws_messages_in;
    assert.equal(after - before, 2);
    sub.close();
  });

  test("the runtime answers a ping text frame with pong", async () => {
    const sub = await subscribe(url, "pinged");
    sub.ws.send("ping");
    await sub.waitFor(() => sub.texts.includes("pong"));
    assert.deepEqual(sub.frames, []);
    sub.close();
  });
});

describe("refusals", () => {
  test("subscribe without a WebSocket upgrade gets 426", async () => {
    assert.equal((await request(`${url}/channels/room/subscribe`)).status, 426);
  });

  test("a body without payload gets 400", async () => {
    assert.equal((await request(`${url}/channels/room/messages`, "POST", { data: 1 })).status, 400);
  });

  test("a bad channel name gets 400", async () => {
    assert.equal((await request(`${url}/channels/bad%20name/messages`, "POST", { payload: 1 })).status, 400);
  });
});

describe("durability", () => {
  test("after a restart on the same state, seq continues where it was", async () => {
    await server.stop({ keepState: true });
    const restarted = await startServer({ persistTo: server.persistTo });
    try {
      const res = await request(`${restarted.url}/channels/room/messages`, "POST", { payload: "after" });
      assert.equal(res.body.seq, 7);
      const item = await request(`${restarted.url}/meters`);
      assert.ok(item.body.units.worker_requests > 0, "meters survive the restart");
    } finally {
      await restarted.stop();
    }
  });
});
