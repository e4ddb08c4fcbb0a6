// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** One import-specifier style: a relative import names its file, extension included (`./pipeline.ts`, `./index.ts`). */
const RELATIVE_WITHOUT_EXTENSION = "/^[.][.]?[/](?!.*[.](ts|mjs|cjs|js|json|css)$)/";
const importStyle = [
  "error",
  ...["ImportDeclaration", "ExportNamedDeclaration", "ExportAllDeclaration", "ImportExpression"].map((node) => ({
    selector: `${node}[source.value=${RELATIVE_WITHOUT_EXTENSION}]`,
    message: "Name the file of a relative import, extension included (e.g. `./config.ts`, `./chat/index.ts`).",
  })),
];

/** Imports that would break a room's runtime: the webview runs in a browser, the inference child in plain Node. */
const vscodeImport = { name: "vscode", message: "Only src/extension may import vscode." };
const extensionImport = { group: ["**/extension", "**/extension/**", "*/extension/*"], message: "src/extension is the host; other rooms must not import it." };
const nodeBuiltins = ["fs", "path", "os", "child_process", "crypto", "net", "http", "https", "stream", "worker_threads", "process", "util", "events", "url", "buffer", "zlib"];

export default tseslint.config(
  // demo/ and the test workspace are sample user code the editor opens, not project sources.
  { ignores: ["node_modules/**", "dist/**", "out/**", "test-results/**", ".test-run/**", ".vscode-test/**", "*.vsix", "demo/**", "test/fixtures/workspace/**", "test/fixtures/workspace-lib/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ["*.mjs", "scripts/*.mjs"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-restricted-syntax": importStyle,
      // Type-only imports are `import type { A }`; a mixed import marks its types inline (`import { a, type B }`).
      "@typescript-eslint/no-import-type-side-effects": "error",
    },
  },
  {
    files: ["src/inference/**/*.ts", "src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [vscodeImport], patterns: [extensionImport] }],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      // Pure logic shared by every room: no editor, no Node, so it can run in the host, the child and the webview.
      "no-restricted-imports": [
        "error",
        {
          paths: [vscodeImport, ...nodeBuiltins.flatMap((m) => [{ name: m, message: "src/core is pure: no Node built-ins." }, { name: `node:${m}`, message: "src/core is pure: no Node built-ins." }])],
          patterns: [extensionImport, { group: ["**/inference/**"], message: "src/core must not depend on the inference child." }],
        },
      ],
    },
  },
  {
    files: ["src/webview/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [vscodeImport, ...nodeBuiltins.flatMap((m) => [{ name: m, message: "Webviews run in a browser: no Node built-ins." }, { name: `node:${m}`, message: "Webviews run in a browser: no Node built-ins." }])],
          patterns: [extensionImport, { group: ["node:*"], message: "Webviews run in a browser: no Node built-ins." }],
        },
      ],
    },
  },
  {
    files: ["**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
