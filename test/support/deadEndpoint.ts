import { createServer } from "node:net";

/** A local port with nothing listening: connections to it are refused at once. */
export async function deadEndpoint(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const p = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
  return `http://127.0.0.1:${port}`;
}
