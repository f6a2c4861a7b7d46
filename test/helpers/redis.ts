/**
 * A real redis-server for the queue tests: started on 127.0.0.1 on a free
 * port with its data in a temporary directory (append-only file on, so a
 * restart keeps the queue), stopped by pid. A machine without redis-server
 * fails the tests with the command that installs it; they never skip.
 *
 *   startRedis(dir): Promise<RedisServer>   // url = redis://127.0.0.1:<port>
 *   server.stop(): SIGTERM, resolves once it has exited
 *   server.restart(): stop, then start again on the same port and data
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  pid(): number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export const REDIS_MISSING =
  "redis-server is not installed: the queue tests need a real Redis. Install it with 'apt-get install -y redis-server' (Debian/Ubuntu; .ci/run does this) and run the tests again";

function requireRedisServer(): void {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(REDIS_MISSING);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--daemonize",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${log}`)),
      10_000,
    );
    child.stdout!.on("data", (d: Buffer) => {
      log += d.toString();
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${log}`));
    });
  });
}

export async function startRedis(dir: string): Promise<RedisServer> {
  requireRedisServer();
  const port = await freePort();
  let child = await launch(port, dir);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => child.pid!,
    stop,
    restart: async () => {
      await stop();
      child = await launch(port, dir);
    },
  };
}
