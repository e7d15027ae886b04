// Builds the workbench: TypeScript from the protos (protoc-gen-es with the
// system's protoc), then one esbuild bundle, the catalogs and the static
// files into OUT (default: dist/).
//   node build.mjs [--out DIR]
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
function opt(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? path.resolve(args[i + 1]) : dflt;
}
const out = opt("--out", path.join(here, "dist"));
const gen = path.join(here, "src", "gen");
const protoRoot = path.resolve(here, "..", "..", "proto");

fs.rmSync(gen, { recursive: true, force: true });
fs.mkdirSync(gen, { recursive: true });
const protos = fs.readdirSync(path.join(protoRoot, "tessera", "v1"))
  .filter((f) => f.endsWith(".proto"))
  .map((f) => path.join(protoRoot, "tessera", "v1", f));
execFileSync("protoc", [
  "-I", protoRoot,
  "--plugin=protoc-gen-es=" + path.join(here, "node_modules", ".bin", "protoc-gen-es"),
  "--es_out=" + gen, "--es_opt=target=ts,import_extension=none",
  ...protos,
], { stdio: "inherit" });

fs.mkdirSync(out, { recursive: true });
const result = await esbuild.build({
  entryPoints: [path.join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["es2022"],
  outfile: path.join(out, "app.js"),
  metafile: true,
  logLevel: "warning",
});
for (const f of ["index.html", "app.css"]) {
  fs.copyFileSync(path.join(here, "static", f), path.join(out, f));
}
// Catalogs: messages/keys.txt names one message per line; each LANG.txt is
// plain text with one message per paragraph, in the same order, so that a
// catalog can be imported into Tessera as a plain-text statement and its
// publication used as the new language's catalog. Compiled to LANG.json.
const keys = fs.readFileSync(path.join(here, "messages", "keys.txt"), "utf8")
  .split("\n").map((k) => k.trim()).filter((k) => k);
fs.mkdirSync(path.join(out, "messages"), { recursive: true });
const langs = [];
for (const f of fs.readdirSync(path.join(here, "messages"))) {
  if (!f.endsWith(".txt") || f === "keys.txt") continue;
  const lang = f.slice(0, -4);
  const blocks = fs.readFileSync(path.join(here, "messages", f), "utf8")
    .split(/\n[ \t]*\n/).map((b) => b.replace(/\s*\n\s*/g, " ").trim()).filter((b) => b);
  if (blocks.length !== keys.length) {
    throw new Error(`messages/${f}: ${blocks.length} messages for ${keys.length} keys`);
  }
  const catalog = Object.fromEntries(keys.map((k, i) => [k, blocks[i]]));
  fs.writeFileSync(path.join(out, "messages", lang + ".json"), JSON.stringify(catalog));
  langs.push(lang);
}
fs.writeFileSync(path.join(out, "messages", "index.json"), JSON.stringify(langs.sort()));
const bytes = result.metafile.outputs[path.relative(process.cwd(), path.join(out, "app.js"))]?.bytes
  ?? fs.statSync(path.join(out, "app.js")).size;
console.log(`web: bundle ${out}/app.js, ${bytes} bytes`);
