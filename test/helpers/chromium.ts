/**
 * Headless Chromium for the page tests: Debian's package (or $CHROMIUM_PATH),
 * started with the flags this closed network needs and a HOME of its own
 * (Chromium writes its profile, crash reports and dconf cache under HOME, and
 * the test run must leave the user's HOME untouched).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Chromium from $CHROMIUM_PATH or Debian's package; anything else is a failure that says what to do. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `no Chromium at ${path}: the browser tests need one. Install Chromium ` +
        "(sudo apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary.",
    );
  }
  return path;
}

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Launches headless Chromium with its HOME in `work` (a test's temporary directory). */
export async function launchChromium(work: string): Promise<Browser> {
  const home = join(work, "chromium-home");
  mkdirSync(home, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_CACHE_HOME: join(home, ".cache"),
    },
  });
}
