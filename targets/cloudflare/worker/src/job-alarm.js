// One Durable Object per job scheduled with via=alarm: it holds the job's
// id and one alarm at scheduled_for. Alarms are at-least-once (retried with
// backoff when the handler throws); fireJob's guard keeps the run single.
import { DurableObject } from "cloudflare:workers";
import { fireJob } from "./jobs.js";
import { Meter } from "./meters.js";

export class JobAlarm extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.meter = new Meter(env, (p) => ctx.waitUntil(p));
  }

  async schedule(id, scheduledFor) {
    this.meter.add("do_requests");
    // Both writes commit together, before this call returns.
    await this.ctx.storage.put("job", id);
    await this.ctx.storage.setAlarm(scheduledFor);
  }

  async alarm() {
    this.meter.add("do_requests");
    const id = await this.ctx.storage.get("job");
    if (id === undefined) {
      return;
    }
    await fireJob(this.env, this.meter, id);
    // The job is done: leave nothing stored.
    await this.ctx.storage.deleteAll();
  }
}
