import { defineConfig } from "vitest/config";

// convex-test runs the functions in the same edge runtime Convex's own
// isolates resemble, and must be inlined so it shares vitest's module graph.
export default defineConfig({
  test: {
    environment: "edge-runtime",
    server: { deps: { inline: ["convex-test"] } },
    include: ["convex/**/*.test.ts"],
  },
});
