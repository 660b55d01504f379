/**
 * Imports point one way (docs/architecture.md). Each rule forbids a folder from importing a layer
 * above it; `npm run lint` fails on any violation.
 */
const layer = (from, allowed) => ({
  name: `${from}-imports-only-${allowed.join('-') || 'nothing'}`,
  severity: 'error',
  comment: `src/${from} may import only: ${allowed.length ? allowed.join(', ') : 'nothing of ours'}`,
  from: { path: `^src/${from}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${from}/`, ...allowed.map((folder) => `^src/${folder}/`)],
  },
});

module.exports = {
  forbidden: [
    layer('shared', ['domain']),
    layer('config', ['shared']),
    layer('domain', ['shared']),
    layer('storage', ['domain', 'shared']),
    layer('discovery', ['domain', 'shared']),
    layer('api', ['domain', 'storage', 'discovery', 'config', 'shared']),
    layer('worker', ['domain', 'storage', 'discovery', 'config', 'shared', 'api']),
    layer('ui-server', ['config', 'shared']),
    layer('web', ['shared']),
    {
      name: 'only-exec-spawns-processes',
      severity: 'error',
      comment: 'Only src/discovery/exec may import node:child_process (one ProcessRunner: no shell, timeouts, caps).',
      from: { path: '^src/', pathNot: '^src/(discovery/exec|cli)/' },
      to: { path: '^(node:)?child_process$', dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
