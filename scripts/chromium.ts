import { existsSync } from "node:fs";
import * as path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** The system Chromium (scripts/setup.sh installs it); REGIONCTL_CHROMIUM overrides. */
export function chromiumPath(): string {
  const override = process.env.REGIONCTL_CHROMIUM;
  if (override !== undefined) return override;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error("Chromium is not installed: run scripts/setup.sh (it installs the `chromium` package)");
}

/** A headless Chromium with a throw-away profile that never reaches the network on its own. */
export function launchChromium(profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
