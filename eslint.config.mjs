import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".tools/",
      ".bench-base/",
      "out/",
      "dist/",
      "coverage/",
      "bin/*.js",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@typescript-eslint/prefer-nullish-coalescing": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  // Layers. Components are the Pulumi program and never reach into the controller. In the
  // controller, only the composition root builds adapters (and the IAM policy collects their
  // declared actions); everything else talks to ports. Planners, gates and health take data and
  // return data, so they import neither the executor, the watcher nor any adapter or simulation.
  {
    files: ["components/**/*.ts", "index.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/automation", "**/automation/**"],
              message: "components never import the controller",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["automation/**/*.ts"],
    // The composition root: context.ts wires the real adapters, localProgramPorts.ts the ones a
    // local `--program` runs with; iamPolicy.ts only collects the actions adapters declare.
    ignores: [
      "automation/adapters/**",
      "automation/context.ts",
      "automation/localProgramPorts.ts",
      "automation/iamPolicy.ts",
    ],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/adapters", "**/adapters/**"],
              message:
                "only the composition root (automation/context.ts, localProgramPorts.ts) imports adapters; use a port",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["automation/plans/**/*.ts", "automation/gates/**/*.ts", "automation/health/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "**/adapters",
                "**/adapters/**",
                "**/drill/**",
                "**/executor",
                "**/executor/**",
                "**/watch/**",
                "**/commands/**",
                "**/context",
              ],
              message: "planners, gates and health are pure: data in, data out, no I/O layers",
            },
          ],
        },
      ],
    },
  },
  prettier,
);
