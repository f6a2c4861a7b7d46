/**
 * `npm run playground [-- --port P]`: builds the playground (scripts/build-web.ts)
 * and serves dist-web/ on http://127.0.0.1:P/ (default 8080; 0 picks a free
 * port). A plain static file server with no dependencies; Ctrl-C stops it.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { buildWeb } from "./build-web.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
};

/** Serves the files of `dir` (GET and HEAD only, nothing outside it). */
export function serveStatic(
  dir: string,
  port: number,
  host = "127.0.0.1",
): Promise<{ url: string; server: Server }> {
  const root = path.resolve(dir);
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(root, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
    const stat = file.startsWith(root + path.sep)
      ? statSync(file, { throwIfNoEntry: false })
      : undefined;
    if ((req.method !== "GET" && req.method !== "HEAD") || stat === undefined || !stat.isFile()) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 404 : 405).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": stat.size,
      "cache-control": "no-cache",
    });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      resolve({ url: `http://${host}:${actual}/`, server });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ options: { port: { type: "string", default: "8080" } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`playground: --port must be 0..65535, not ${values.port}`);
    process.exit(2);
  }
  // The port first: a busy one is said at once, before the build.
  const outDir = path.join(import.meta.dirname, "..", "dist-web");
  let url: string;
  try {
    ({ url } = await serveStatic(outDir, port));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    const free = await freePortAfter(port);
    console.error(
      `playground: port ${port} is in use (another server, or a playground already running?); ` +
        (free !== undefined
          ? `port ${free} is free: npm run playground -- --port ${free}`
          : `choose another with npm run playground -- --port P (0 picks a free one)`),
    );
    process.exit(1);
  }
  const web = await buildWeb(outDir);
  console.log(
    `zkvm playground: ${url}  (serving ${path.relative(process.cwd(), web.outDir)}/; Ctrl-C stops)`,
  );
}

/** The first port above `port` that can be listened on now (of the next 100), if any. */
async function freePortAfter(port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(port + 100, 65535); p++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(p, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return p;
  }
  return undefined;
}
