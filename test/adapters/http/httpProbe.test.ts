import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpProbe } from "../../../automation/adapters/http/httpProbe";
import { startServer } from "./testServer";

let server: Awaited<ReturnType<typeof startServer>>;
const seen: { path: string; agent: string | undefined }[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    seen.push({ path: req.url ?? "", agent: req.headers["user-agent"] });
    const path = req.url ?? "/";
    if (path === "/health") res.writeHead(200).end("ok");
    else if (path === "/moved") res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" }).end();
    else if (path === "/broken") res.writeHead(503).end("down");
    else if (path === "/missing") res.writeHead(404).end();
    else if (path === "/slow") setTimeout(() => res.writeHead(200).end("late"), 150);
    // /hang never answers
  });
});
afterAll(() => server.close());

describe("HttpProbe", () => {
  it("is ok on 2xx and records latency", async () => {
    const r = await new HttpProbe().check(`${server.url}/slow`);
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(r.latencyMs).toBeGreaterThanOrEqual(140);
    expect(r.latencyMs).toBeLessThan(2_000);
    expect(r.detail).toBe(`HTTP 200 in ${r.latencyMs} ms`);
    expect(seen.at(-1)).toEqual({ path: "/slow", agent: "regionctl-probe" });
  });

  it("counts a 3xx as an answer without following it", async () => {
    const r = await new HttpProbe().check(`${server.url}/moved`);
    expect(r).toMatchObject({ ok: true, status: 302 });
    expect(seen.some((s) => s.path === "/elsewhere")).toBe(false);
  });

  it.each([
    ["/broken", 503],
    ["/missing", 404],
  ])("is not ok on %s (%i)", async (path, status) => {
    expect(await new HttpProbe().check(`${server.url}${path}`)).toMatchObject({ ok: false, status });
  });

  it("gives up on a hung endpoint at its own timeout", async () => {
    const started = performance.now();
    const r = await new HttpProbe({ timeoutMs: 300 }).check(`${server.url}/hang`);
    const took = performance.now() - started;
    expect(r).toMatchObject({ ok: false, status: null, detail: "no answer within 300 ms" });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_500);
  });

  it("reports a refused connection by its error code", async () => {
    const closed = await startServer(() => undefined);
    const url = `${closed.url}/health`;
    await closed.close();
    expect(await new HttpProbe().check(url)).toMatchObject({
      ok: false,
      status: null,
      detail: "ECONNREFUSED",
    });
  });

  it("rejects, rather than reporting the region down, when the caller aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("operation cancelled")), 50);
    await expect(
      new HttpProbe({ timeoutMs: 5_000 }).check(`${server.url}/hang`, controller.signal),
    ).rejects.toThrow("operation cancelled");
  });
});
