/**
 * The layers of src/, from the core outwards. A module may import its own layer
 * and the layers before it, never one after it; no import cycles, type-only
 * imports included. `npm run depcheck` (run by .ci/run) enforces both.
 * See docs/architecture.md.
 */
const LAYERS = [
  { name: "core", path: "^src/core/" },
  { name: "config", path: "^src/config/" },
  { name: "infra", path: "^src/infra/" },
  { name: "exec", path: "^src/exec/" },
  { name: "domain", path: "^src/(domain|announce)/" },
  { name: "jobs", path: "^src/jobs/" },
  { name: "commands", path: "^src/commands/" },
  { name: "adapters", path: "^src/(bot|web)/" },
  { name: "root", path: "^src/((app|main|cli)\\.ts$|app/)" },
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer.name}-imports-upward`,
  comment: `${layer.name} may import only ${LAYERS.slice(0, i + 1)
    .map((l) => l.name)
    .join(", ")}`,
  severity: "error",
  from: { path: layer.path },
  to: { path: LAYERS.slice(i + 1).map((l) => l.path) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      comment: "an import cycle (type-only imports count too)",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "src-not-from-tests",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
