import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

// Once a minute, the finest period Cloudflare Cron Triggers offer, so the
// "cron" mechanism compares like with like; Convex would allow 1 s, but an
// idle deployment would then spend 2.6 M function calls a month on ticks
// (43,200 at one a minute). Jobs scheduled via "cron" fire up to 60 s late.
crons.interval("due cron jobs", { seconds: 60 }, internal.jobs.runDueCron, {});

export default crons;
