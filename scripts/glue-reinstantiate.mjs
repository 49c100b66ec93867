// Adds `reinstantiate()` to the glue wasm-bindgen generated (www/pkg/cors_lens.js).
//
// A panic in the core traps on wasm32 (panic = abort: `RuntimeError:
// unreachable`) and leaves the instance unusable. The glue keeps its instance
// in module-level variables and offers no way to start over, and a service
// worker can load no second copy of it (no dynamic import). So the build adds
// one function, in the glue's own module scope: a fresh instance of the
// already compiled module, replacing the dead one. The worker calls it after
// a trap (extension/worker.js, `restartEngine`).
//
// Run by `make build` after wasm-bindgen; fails loudly when a new
// wasm-bindgen changes what this relies on. Idempotent. The declaration goes
// into the glue's .d.ts too, when wasm-bindgen wrote one (the type check,
// tsconfig.json, reads it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'www/pkg/cors_lens.js';
const glue = readFileSync(file, 'utf8');
const MARK = '// Added by scripts/glue-reinstantiate.mjs';

const declarations = file.replace(/\.js$/, '.d.ts');
if (existsSync(declarations)) {
  const dts = readFileSync(declarations, 'utf8');
  if (!dts.includes(MARK)) {
    writeFileSync(
      declarations,
      `${dts.trimEnd()}

${MARK}: a fresh instance of the compiled module, after a trap.
export function reinstantiate(): InitOutput;
`,
    );
  }
}

if (glue.includes(MARK)) process.exit(0);

// What the added function touches: it must be exactly these.
const needed = [
  /^let wasmModule, wasmInstance, wasm;$/m,
  /^let __wbg_init_promise;$/m,
  /^function initSync\(module\) \{$/m,
  /^function __wbg_finalize_init\(instance, module\) \{$/m,
];
const missing = needed.filter((re) => !re.test(glue));
// Module-level caches of the memory: the added function relies on
// __wbg_finalize_init resetting every one of them.
const caches = [...glue.matchAll(/^let (cached\w+Memory\d*) = null;$/gm)].map((m) => m[1]);
const finalize = glue.slice(glue.indexOf('function __wbg_finalize_init'), glue.indexOf('async function __wbg_load'));
const unreset = caches.filter((c) => !finalize.includes(`${c} = null`));
if (missing.length || unreset.length) {
  console.error(`${file}: the wasm-bindgen glue changed; reinstantiate() cannot be added safely`);
  for (const re of missing) console.error(`  missing ${re}`);
  for (const c of unreset) console.error(`  ${c} is not reset by __wbg_finalize_init`);
  process.exit(1);
}

writeFileSync(
  file,
  `${glue.trimEnd()}

${MARK}: a fresh instance of the compiled module,
// for after a trap left the current one unusable. Handles created before
// (an Engine) belong to the dead instance: forget them with
// __destroy_into_raw(), never free() them.
export function reinstantiate() {
    if (wasmModule === undefined) throw new Error('wasm was never initialised');
    const module = wasmModule;
    wasm = undefined;
    wasmInstance = undefined;
    __wbg_init_promise = undefined;
    return initSync({ module });
}
`,
);
