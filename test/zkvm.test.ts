import { expect } from "chai";
import {
  AssemblyError,
  InputError,
  RuntimeFault,
  ValidationError,
  ZkvmError,
} from "../src/errors.js";
import { P } from "../src/field.js";
import { ZKVM } from "../src/zkvm.js";
import { expectError, hex } from "./helpers/code.js";
import { freshDist } from "./helpers/dist.js";
import { isErrorCase, loadExamples } from "./helpers/examples.js";

/** A test title for a case's values: field-sized numbers shortened to 1234…5678. */
const brief = (values: Readonly<Record<string, string>>) =>
  Object.entries(values)
    .map(([name, v]) => `${name}=${v.replace(/(\d{4})\d{8,}(\d{4})/, "$1…$2")}`)
    .join(" ");
const SEED = hex("01 05 01 03 02 04 00 FF");

describe("ZKVM (library API)", () => {
  describe("the seed example leaves memory[0] = 8 in 5 steps", () => {
    it("from bytes", () => {
      expect(new ZKVM(SEED).execute()).to.deep.equal({ outputs: { "0": 8n }, steps: 5 });
    });

    it("from a hex string, spaced, packed or 0x-prefixed", () => {
      for (const text of ["01 05 01 03 02 04 00 FF", "01050103020400ff\n", "0x01050103020400FF"]) {
        expect(new ZKVM(text).execute()).to.deep.equal({ outputs: { "0": 8n }, steps: 5 });
      }
    });

    it("from assembly text", () => {
      const vm = new ZKVM(".output y 0\nPUSH 5\nPUSH 3\nADD\nSTORE y\nSTOP");
      expect(vm.execute()).to.deep.equal({ outputs: { y: 8n }, steps: 5 });
      expect(vm.program.code).to.deep.equal(SEED);
    });

    describe('through the package: import { ZKVM } from "zkvm"', () => {
      before(async function () {
        // The package's entry point is dist/, built fresh: a build error fails here.
        this.timeout(180_000);
        await freshDist();
      });

      it("runs the seed example", async () => {
        // A variable specifier: type-checking must not depend on dist/ existing.
        const specifier = "zkvm";
        const zkvm = (await import(specifier)) as typeof import("../src/index.js");
        expect(new zkvm.ZKVM(SEED).execute()).to.deep.equal({ outputs: { "0": 8n }, steps: 5 });
        expect(zkvm.P).to.equal(P);
      });
    });
  });

  describe("programs and options", () => {
    it("validates in the constructor", () => {
      expectError(() => new ZKVM(hex("01 05")), ValidationError, "FALLS_OFF_END");
      expectError(() => new ZKVM("PUSH 1\nFROB\nSTOP"), AssemblyError, "UNKNOWN_MNEMONIC");
      const e = expectError(
        () => new ZKVM("PUSH 1\nADD\nSTOP"),
        ValidationError,
        "STACK_UNDERFLOW",
      );
      expect(e.line).to.equal(2);
    });

    it("takes raw bytecode's I/O cells as options, named by address", () => {
      // LOAD 0; LOAD 1; MUL; STORE 2; STOP
      const code = hex("05 00 05 01 03 04 02 FF");
      const vm = new ZKVM(code, { io: { private: [0], public: [1], outputs: [2] } });
      expect(vm.program.io.inputs).to.deep.equal([
        { name: "0", cell: 0, visibility: "private" },
        { name: "1", cell: 1, visibility: "public" },
      ]);
      expect(vm.execute({ "0": 6, "1": "7" }).outputs).to.deep.equal({ "2": 42n });
    });

    it("makes every STOREd cell an output, in address order, when raw bytecode declares nothing", () => {
      // PUSH 1; STORE 9; PUSH 2; STORE 3; PUSH 3; STORE 9; STOP
      const vm = new ZKVM(hex("01 01 04 09 01 02 04 03 01 03 04 09 FF"));
      expect(vm.program.io.inputs).to.deep.equal([]);
      expect(Object.entries(vm.execute().outputs)).to.deep.equal([
        ["3", 2n],
        ["9", 3n],
      ]);
    });

    it("allows raw bytecode to read and write the same cell", () => {
      // LOAD 0; PUSH 1; ADD; STORE 0; STOP
      const vm = new ZKVM(hex("05 00 01 01 02 04 00 FF"), { io: { private: [0], outputs: [0] } });
      expect(vm.execute({ "0": 41 }).outputs).to.deep.equal({ "0": 42n });
    });

    it("reports an output that is never written as 0, and one in an input cell as updated", () => {
      const vm = new ZKVM(
        ".public n 0\n.output same 0\n.output untouched 5\nLOAD n\nLOAD n\nMUL\nSTORE n\nSTOP",
      );
      expect(vm.execute({ n: 9 }).outputs).to.deep.equal({ same: 81n, untouched: 0n });
    });

    it("applies the step bound and the comparison width", () => {
      const loop = new ZKVM("top: JUMP top");
      const e = expectError(
        () => loop.execute({}, { steps: 50 }),
        RuntimeFault,
        "STEP_LIMIT_EXCEEDED",
      );
      expect([e.step, e.pc]).to.deep.equal([50, 0]);
      const cmp = ".private a 0\n.output y 1\nLOAD a\nPUSH 0\nGT\nSTORE y\nSTOP";
      expect(new ZKVM(cmp, { width: 8 }).execute({ a: 255 }).outputs.y).to.equal(1n);
      expectError(
        () => new ZKVM(cmp, { width: 8 }).execute({ a: 256 }),
        RuntimeFault,
        "COMPARISON_OUT_OF_RANGE",
      );
      expect(new ZKVM(cmp).execute({ a: 256 }).outputs.y).to.equal(1n);
      expectError(() => new ZKVM(cmp, { width: 253 }), ZkvmError, "BAD_WIDTH");
    });

    it("returns a trace on request", () => {
      const { trace } = new ZKVM(SEED).execute({}, { trace: true });
      expect(trace!.map((t) => t.op)).to.deep.equal(["PUSH", "PUSH", "ADD", "STORE", "STOP"]);
      expect(trace![3]!.write).to.deep.equal({ cell: 0, value: 8n });
    });
  });

  describe("inputs", () => {
    const echo = new ZKVM(".private x 0\n.public n 1\n.output y 2\nLOAD x\nSTORE y\nSTOP");
    const y = (x: bigint | number | string) => echo.execute({ x, n: 0 }).outputs.y;

    it("accepts decimal and hex strings, numbers and bigints", () => {
      expect(y("42")).to.equal(42n);
      expect(y(" 42 ")).to.equal(42n);
      expect(y("0x2a")).to.equal(42n);
      expect(y(42)).to.equal(42n);
      expect(y(42n)).to.equal(42n);
    });

    it("reads -v as p - v, up to -(p - 1), and accepts p - 1", () => {
      expect(y("-1")).to.equal(P - 1n);
      expect(y(-1)).to.equal(P - 1n);
      expect(y(`-${P - 1n}`)).to.equal(1n);
      expect(y(-(P - 1n))).to.equal(1n);
      expect(y((P - 1n).toString())).to.equal(P - 1n);
    });

    it("INPUT_OUT_OF_FIELD: p and -p, and beyond, are rejected, not reduced", () => {
      for (const v of [P, -P, P.toString(), `-${P}`, `0x${P.toString(16)}`, P + 1n, 1n << 256n]) {
        const e = expectError(() => y(v), InputError, "INPUT_OUT_OF_FIELD");
        expect(e.stage).to.equal("input");
        expect(e.message).to.match(/'x'/);
      }
    });

    it("BAD_INPUT_VALUE: anything that is not an integer", () => {
      for (const v of ["abc", "", "1.5", "1e3", "0x", "--1", "12abc", 1.5, NaN, 2 ** 60]) {
        expectError(() => y(v), InputError, "BAD_INPUT_VALUE");
      }
      // Values of other types, e.g. from JSON, are not integers either.
      expectError(() => y(null as unknown as string), InputError, "BAD_INPUT_VALUE");
    });

    it("UNKNOWN_INPUT: a name the program does not declare, outputs included", () => {
      expectError(() => echo.execute({ x: 1, n: 0, z: 3 }), InputError, "UNKNOWN_INPUT");
      expectError(() => echo.execute({ x: 1, n: 0, y: 3 }), InputError, "UNKNOWN_INPUT");
      expectError(() => new ZKVM(SEED).execute({ "0": 1 }), InputError, "UNKNOWN_INPUT");
    });

    it("MISSING_INPUT: a declared input without a value, private or public", () => {
      expectError(() => echo.execute({ x: 1 }), InputError, "MISSING_INPUT");
      expectError(() => echo.execute({ n: 1 }), InputError, "MISSING_INPUT");
      const named = new ZKVM(".private constructor 0\nSTOP");
      expectError(() => named.execute({}), InputError, "MISSING_INPUT");
    });

    it("works with names that Object.prototype has", () => {
      const vm = new ZKVM(
        ".private constructor 0\n.public toString 1\n.output __proto__ 2\n" +
          "LOAD constructor\nLOAD toString\nADD\nSTORE __proto__\nSTOP",
      );
      const { outputs } = vm.execute(JSON.parse('{"constructor": "40", "toString": 2}'));
      expect(Object.keys(outputs)).to.deep.equal(["__proto__"]);
      expect(Object.getOwnPropertyDescriptor(outputs, "__proto__")?.value).to.equal(42n);
    });
  });

  describe("every example's cases", () => {
    for (const example of loadExamples()) {
      describe(example.name, () => {
        const vm = new ZKVM(example.source);
        for (const c of example.cases) {
          const inputs = brief(c.inputs);
          if (isErrorCase(c)) {
            it(`${inputs} ends in ${c.error}`, () => {
              expectError(() => vm.execute(c.inputs, { steps: example.steps }), ZkvmError, c.error);
            });
          } else {
            it(`${inputs} gives ${brief(c.outputs)} in ${c.steps} steps`, () => {
              const r = vm.execute(c.inputs, { steps: example.steps });
              const outputs = Object.fromEntries(
                Object.entries(r.outputs).map(([k, v]) => [k, v.toString()]),
              );
              expect(outputs).to.deep.equal(c.outputs);
              expect(r.steps).to.equal(c.steps);
              expect(r.steps).to.be.at.most(example.steps);
            });
          }
        }
      });
    }
  });
});

describe("ZKVM proof API, misuse", () => {
  const vm = new ZKVM("01 05 01 03 02 04 00 FF");

  it("generateProof without a step bound is BAD_OPTION, before any work", async () => {
    for (const options of [undefined, {}, { steps: 0 }, { steps: "8" }, { steps: 1.5 }]) {
      let caught: unknown;
      try {
        await vm.generateProof({}, options as never);
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(options)).to.have.property("code", "BAD_OPTION");
    }
  });

  it("checkProof of something that is not a proof says so instead of throwing", async () => {
    for (const proof of [null, 42, {}, { circuit: null }, { circuit: { steps: "../../x" } }]) {
      const result = await vm.checkProof(proof as never);
      expect(result.valid, JSON.stringify(proof)).to.equal(false);
      expect(result.reason).to.be.a("string");
      expect(await vm.verifyProof(proof as never)).to.equal(false);
    }
  });
});
