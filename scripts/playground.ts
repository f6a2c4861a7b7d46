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
  const web = await buildWeb();
  const { url } = await serveStatic(web.outDir, port);
  console.log(
    `zkvm playground: ${url}  (serving ${path.relative(process.cwd(), web.outDir)}/; Ctrl-C stops)`,
  );
}
