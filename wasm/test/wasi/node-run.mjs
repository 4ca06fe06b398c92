// node-run.mjs - run a wasm32-wasi module under node's WASI (preview1) for comparison.
// usage: node node-run.mjs MODULE.wasm SANDBOX_DIR [args...]   (env: SKIFF_A/SKIFF_B passed through)
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const [, , wasmPath, sandbox, ...args] = process.argv;
const env = {};
for (const k of ['SKIFF_A', 'SKIFF_B']) if (process.env[k] !== undefined) env[k] = process.env[k];
const wasi = new WASI({
  version: 'preview1',
  args: [wasmPath, ...args],
  env,
  preopens: { '/sandbox': sandbox },
  returnOnExit: true,
});
const mod = await WebAssembly.compile(readFileSync(wasmPath));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
process.exitCode = wasi.start(inst);
