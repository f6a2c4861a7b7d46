/**
 * Just enough WASI (preview 1) to run circom2's compiler, circom built for
 * wasm32-wasi, in a page: an in-memory file system under one preopened
 * directory ".", stdout and stderr collected as text, and the twenty calls
 * circom.wasm imports (listed by `WebAssembly.Module.imports`). The Node
 * pipeline runs the same wasm under @wasmer/wasi with the real file system
 * (node_modules/circom2/cli.js); here nothing touches a disk or the network.
 */

/** WASI errno values (wasi_snapshot_preview1 `errno`). */
const E = {
  SUCCESS: 0,
  BADF: 8,
  EXIST: 20,
  INVAL: 28,
  ISDIR: 31,
  NOENT: 44,
  NOTDIR: 54,
  NOTEMPTY: 55,
} as const;

/** WASI `filetype`. */
const FILETYPE = { CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4 } as const;

/** `oflags` of path_open. */
const O_CREAT = 1;
const O_DIRECTORY = 2;
const O_EXCL = 4;
const O_TRUNC = 8;
/** `fdflags` APPEND. */
const FD_APPEND = 1;

/** The fd of the preopened directory "."; 0, 1 and 2 are stdin, stdout and stderr. */
const PREOPEN_FD = 3;

class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A file's bytes; `data` grows by doubling, `size` is the file's length. */
interface MemFileNode {
  kind: "file";
  data: Uint8Array;
  size: number;
}

/** Files and directories by normalised relative path ("" is the root). */
export class MemoryFileSystem {
  private readonly nodes = new Map<string, MemFileNode | { kind: "dir" }>([["", { kind: "dir" }]]);

  /** Writes a file, creating its parent directories. */
  writeFile(path: string, content: Uint8Array | string): void {
    const p = normalise(path);
    if (p === undefined || p === "") throw new Error(`bad path: ${path}`);
    this.mkdirs(parentOf(p));
    const data = typeof content === "string" ? new TextEncoder().encode(content) : content.slice();
    this.nodes.set(p, { kind: "file", data, size: data.length });
  }

  /** A file's bytes, or undefined if there is no such file. */
  readFile(path: string): Uint8Array | undefined {
    const p = normalise(path);
    const node = p === undefined ? undefined : this.nodes.get(p);
    return node?.kind === "file" ? node.data.slice(0, node.size) : undefined;
  }

  mkdirs(path: string): void {
    const parts = path === "" ? [] : path.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      if (!this.nodes.has(p)) this.nodes.set(p, { kind: "dir" });
    }
  }

  /** @internal */
  node(path: string): MemFileNode | { kind: "dir" } | undefined {
    return this.nodes.get(path);
  }

  /** @internal */
  set(path: string, node: MemFileNode | { kind: "dir" }): void {
    this.nodes.set(path, node);
  }

  /** @internal */
  delete(path: string): void {
    this.nodes.delete(path);
  }

  /** Names directly inside the directory `path`. */
  list(path: string): string[] {
    const prefix = path === "" ? "" : `${path}/`;
    const names: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p !== "" && p.startsWith(prefix) && !p.slice(prefix.length).includes("/")) {
        names.push(p.slice(prefix.length));
      }
    }
    return names.sort();
  }
}

/** Resolves "." and ".." in a path relative to the preopen; undefined if it escapes it. */
function normalise(path: string): string | undefined {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

interface OpenFile {
  path: string;
  /** Read/write position (files) or the directory-listing cookie base. */
  pos: number;
  append: boolean;
}

export interface WasiRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a WASI command module to completion: `args` (argv[0] included) with
 * `fs` as the current directory. Returns its exit code and output.
 */
export async function runWasi(
  module: WebAssembly.Module,
  args: readonly string[],
  fs: MemoryFileSystem,
): Promise<WasiRunResult> {
  // Set once the instance exists; the imports below only run after that.
  const instanceMemory: { current?: WebAssembly.Memory } = {};
  const mem = (): DataView => new DataView(instanceMemory.current!.buffer);
  const bytes = (): Uint8Array => new Uint8Array(instanceMemory.current!.buffer);
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let stdout = "";
  let stderr = "";
  const fds = new Map<number, OpenFile>();
  let nextFd = PREOPEN_FD + 1;
  const argBytes = args.map((a) => encoder.encode(`${a}\0`));

  const readString = (ptr: number, len: number): string =>
    decoder.decode(bytes().slice(ptr, ptr + len));

  /** The path a call names, relative to the preopen, or an errno. */
  const resolve = (dirFd: number, ptr: number, len: number): string | number => {
    const base = dirFd === PREOPEN_FD ? "" : fds.get(dirFd)?.path;
    if (base === undefined) return E.BADF;
    const p = normalise(`${base}/${readString(ptr, len)}`);
    return p === undefined ? E.NOENT : p;
  };

  const writeFilestat = (ptr: number, node: MemFileNode | { kind: "dir" }): void => {
    const view = mem();
    for (let i = 0; i < 64; i += 8) view.setBigUint64(ptr + i, 0n, true);
    view.setUint8(ptr + 16, node.kind === "dir" ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
    view.setBigUint64(ptr + 24, 1n, true);
    view.setBigUint64(ptr + 32, BigInt(node.kind === "file" ? node.size : 0), true);
  };

  /** Scatter/gather: calls `fn(offset, length)` for each iovec. */
  const eachIovec = (iovs: number, count: number, fn: (ptr: number, len: number) => number) => {
    const view = mem();
    let total = 0;
    for (let i = 0; i < count; i++) {
      const ptr = view.getUint32(iovs + 8 * i, true);
      const len = view.getUint32(iovs + 8 * i + 4, true);
      const done = fn(ptr, len);
      total += done;
      if (done < len) break;
    }
    return total;
  };

  const wasi = {
    args_sizes_get(argcPtr: number, bufSizePtr: number): number {
      mem().setUint32(argcPtr, argBytes.length, true);
      mem().setUint32(
        bufSizePtr,
        argBytes.reduce((n, a) => n + a.length, 0),
        true,
      );
      return E.SUCCESS;
    },
    args_get(argvPtr: number, bufPtr: number): number {
      let at = bufPtr;
      argBytes.forEach((a, i) => {
        mem().setUint32(argvPtr + 4 * i, at, true);
        bytes().set(a, at);
        at += a.length;
      });
      return E.SUCCESS;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      mem().setUint32(countPtr, 0, true);
      mem().setUint32(sizePtr, 0, true);
      return E.SUCCESS;
    },
    environ_get(): number {
      return E.SUCCESS;
    },
    clock_time_get(_id: number, _precision: bigint, timePtr: number): number {
      const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      mem().setBigUint64(timePtr, ns, true);
      return E.SUCCESS;
    },
    random_get(ptr: number, len: number): number {
      // getRandomValues fills at most 65,536 bytes a call.
      for (let at = 0; at < len; at += 65536) {
        crypto.getRandomValues(
          new Uint8Array(instanceMemory.current!.buffer, ptr + at, Math.min(65536, len - at)),
        );
      }
      return E.SUCCESS;
    },
    proc_exit(code: number): never {
      throw new WasiExit(code);
    },
    fd_prestat_get(fd: number, ptr: number): number {
      if (fd !== PREOPEN_FD) return E.BADF;
      mem().setUint8(ptr, 0);
      mem().setUint32(ptr + 4, 1, true);
      return E.SUCCESS;
    },
    fd_prestat_dir_name(fd: number, ptr: number, len: number): number {
      if (fd !== PREOPEN_FD) return E.BADF;
      bytes().set(encoder.encode(".").subarray(0, len), ptr);
      return E.SUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, writtenPtr: number): number {
      if (fd === 1 || fd === 2) {
        const n = eachIovec(iovs, count, (ptr, len) => {
          const text = decoder.decode(bytes().slice(ptr, ptr + len));
          if (fd === 1) stdout += text;
          else stderr += text;
          return len;
        });
        mem().setUint32(writtenPtr, n, true);
        return E.SUCCESS;
      }
      const file = fds.get(fd);
      const node = file === undefined ? undefined : fs.node(file.path);
      if (file === undefined || node === undefined) return E.BADF;
      if (node.kind !== "file") return E.ISDIR;
      if (file.append) file.pos = node.size;
      const n = eachIovec(iovs, count, (ptr, len) => {
        const end = file.pos + len;
        if (end > node.data.length) {
          const grown = new Uint8Array(Math.max(end, node.data.length * 2, 4096));
          grown.set(node.data.subarray(0, node.size));
          node.data = grown;
        }
        node.data.set(bytes().subarray(ptr, ptr + len), file.pos);
        file.pos = end;
        node.size = Math.max(node.size, end);
        return len;
      });
      mem().setUint32(writtenPtr, n, true);
      return E.SUCCESS;
    },
    fd_read(fd: number, iovs: number, count: number, readPtr: number): number {
      if (fd === 0) {
        mem().setUint32(readPtr, 0, true);
        return E.SUCCESS;
      }
      const file = fds.get(fd);
      const node = file === undefined ? undefined : fs.node(file.path);
      if (file === undefined || node === undefined) return E.BADF;
      if (node.kind !== "file") return E.ISDIR;
      const n = eachIovec(iovs, count, (ptr, len) => {
        const chunk = node.data.subarray(file.pos, Math.min(node.size, file.pos + len));
        bytes().set(chunk, ptr);
        file.pos += chunk.length;
        return chunk.length;
      });
      mem().setUint32(readPtr, n, true);
      return E.SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      const file = fds.get(fd);
      const node = file === undefined ? undefined : fs.node(file.path);
      if (file === undefined || node === undefined) return E.BADF;
      const size = node.kind === "file" ? node.size : 0;
      const base = whence === 0 ? 0 : whence === 1 ? file.pos : whence === 2 ? size : NaN;
      const pos = base + Number(offset);
      if (!(pos >= 0)) return E.INVAL;
      file.pos = pos;
      mem().setBigUint64(newOffsetPtr, BigInt(pos), true);
      return E.SUCCESS;
    },
    fd_close(fd: number): number {
      return fds.delete(fd) ? E.SUCCESS : E.BADF;
    },
    fd_filestat_get(fd: number, ptr: number): number {
      if (fd <= 2) {
        writeFilestat(ptr, { kind: "file", data: new Uint8Array(), size: 0 });
        mem().setUint8(ptr + 16, FILETYPE.CHARACTER_DEVICE);
        return E.SUCCESS;
      }
      const path = fd === PREOPEN_FD ? "" : fds.get(fd)?.path;
      const node = path === undefined ? undefined : fs.node(path);
      if (node === undefined) return E.BADF;
      writeFilestat(ptr, node);
      return E.SUCCESS;
    },
    path_filestat_get(dirFd: number, _flags: number, ptr: number, len: number, buf: number) {
      const p = resolve(dirFd, ptr, len);
      if (typeof p === "number") return p;
      const node = fs.node(p);
      if (node === undefined) return E.NOENT;
      writeFilestat(buf, node);
      return E.SUCCESS;
    },
    path_open(
      dirFd: number,
      _dirFlags: number,
      ptr: number,
      len: number,
      oflags: number,
      _rightsBase: bigint,
      _rightsInheriting: bigint,
      fdflags: number,
      fdPtr: number,
    ): number {
      const p = resolve(dirFd, ptr, len);
      if (typeof p === "number") return p;
      let node = fs.node(p);
      if (node !== undefined && (oflags & O_CREAT) !== 0 && (oflags & O_EXCL) !== 0) {
        return E.EXIST;
      }
      if (node === undefined) {
        if ((oflags & O_CREAT) === 0) return E.NOENT;
        if (fs.node(parentOf(p))?.kind !== "dir") return E.NOENT;
        node = { kind: "file", data: new Uint8Array(0), size: 0 };
        fs.set(p, node);
      }
      if ((oflags & O_DIRECTORY) !== 0 && node.kind !== "dir") return E.NOTDIR;
      if (node.kind === "file" && (oflags & O_TRUNC) !== 0) node.size = 0;
      const fd = nextFd++;
      fds.set(fd, { path: p, pos: 0, append: (fdflags & FD_APPEND) !== 0 });
      mem().setUint32(fdPtr, fd, true);
      return E.SUCCESS;
    },
    path_create_directory(dirFd: number, ptr: number, len: number): number {
      const p = resolve(dirFd, ptr, len);
      if (typeof p === "number") return p;
      if (fs.node(p) !== undefined) return E.EXIST;
      if (fs.node(parentOf(p))?.kind !== "dir") return E.NOENT;
      fs.set(p, { kind: "dir" });
      return E.SUCCESS;
    },
    path_remove_directory(dirFd: number, ptr: number, len: number): number {
      const p = resolve(dirFd, ptr, len);
      if (typeof p === "number") return p;
      const node = fs.node(p);
      if (node === undefined) return E.NOENT;
      if (node.kind !== "dir") return E.NOTDIR;
      if (fs.list(p).length > 0) return E.NOTEMPTY;
      fs.delete(p);
      return E.SUCCESS;
    },
    path_unlink_file(dirFd: number, ptr: number, len: number): number {
      const p = resolve(dirFd, ptr, len);
      if (typeof p === "number") return p;
      const node = fs.node(p);
      if (node === undefined) return E.NOENT;
      if (node.kind === "dir") return E.ISDIR;
      fs.delete(p);
      return E.SUCCESS;
    },
    fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, usedPtr: number): number {
      const path = fd === PREOPEN_FD ? "" : fds.get(fd)?.path;
      if (path === undefined) return E.BADF;
      if (fs.node(path)?.kind !== "dir") return E.NOTDIR;
      // Each entry: d_next u64, d_ino u64, d_namlen u32, d_type u8 (24 bytes), then the name;
      // a last entry that does not fit is cut off, as the call allows.
      const out: number[] = [];
      const names = fs.list(path);
      for (let i = Number(cookie); i < names.length && out.length < bufLen; i++) {
        const name = encoder.encode(names[i]!);
        const head = new DataView(new ArrayBuffer(24));
        head.setBigUint64(0, BigInt(i + 1), true);
        head.setBigUint64(8, BigInt(i + 1), true);
        head.setUint32(16, name.length, true);
        const child = fs.node(path === "" ? names[i]! : `${path}/${names[i]!}`);
        head.setUint8(20, child?.kind === "dir" ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE);
        out.push(...new Uint8Array(head.buffer), ...name);
      }
      const used = Math.min(out.length, bufLen);
      bytes().set(out.slice(0, used), buf);
      mem().setUint32(usedPtr, used, true);
      return E.SUCCESS;
    },
  };

  // Asynchronous: Chrome refuses to instantiate a module this large synchronously on the main thread.
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi });
  instanceMemory.current = instance.exports.memory as WebAssembly.Memory;
  let exitCode = 0;
  try {
    (instance.exports._start as () => void)();
  } catch (e) {
    if (!(e instanceof WasiExit)) throw e;
    exitCode = e.code;
  }
  return { exitCode, stdout, stderr };
}
