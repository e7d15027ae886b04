// Bundles one TypeScript test for Node with esbuild and runs it.
//   node run_ts.mjs TEST.ts
import * as esbuild from "esbuild";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tessera-web-test-"));
const out = path.join(dir, "test.mjs");
await esbuild.build({ entryPoints: [process.argv[2]], bundle: true, platform: "node", format: "esm", outfile: out, logLevel: "warning" });
try {
  await import(pathToFileURL(out).href);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
