'use strict';
// The extension's vscode-free logic (lib/config.js) and the package.json contributions.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const cfg = require('../lib/config');

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

test('clientSettings: select only when set, lists trimmed, bad types refused', () => {
  assert.deepEqual(cfg.clientSettings({}), { ignore: [], pluginDirs: [] });
  assert.deepEqual(cfg.clientSettings({ select: ['DL2', ' DL1 '], ignore: ['DL107'], pluginDirs: ['plugins'] }),
    { select: ['DL2', 'DL1'], ignore: ['DL107'], pluginDirs: ['plugins'] });
  assert.deepEqual(cfg.clientSettings((k) => ({ select: null, ignore: undefined })[k]), { ignore: [], pluginDirs: [] });
  assert.throws(() => cfg.clientSettings({ ignore: 'DL201' }), /dioptra-lint.ignore must be a list/);
});

test('initializationOptions and workspace/configuration answers', () => {
  const s = { ignore: ['DL201'], pluginDirs: [] };
  assert.deepEqual(cfg.initializationOptions(s), { 'dioptra-lint': s });
  assert.deepEqual(cfg.configurationResult(
    [{ section: 'dioptra-lint' }, { section: 'dioptra-lint.ignore' }, { section: 'python' }, {}], () => s),
    [s, ['DL201'], null, { 'dioptra-lint': s }]);
});

test('serverCommand', () => {
  assert.deepEqual(cfg.serverCommand(undefined), { command: 'dioptra-lsp', args: [] });
  assert.deepEqual(cfg.serverCommand(['python3', '-m', 'dioptra_lsp.server']),
    { command: 'python3', args: ['-m', 'dioptra_lsp.server'] });
  assert.deepEqual(cfg.serverCommand('dioptra-lint server'), { command: 'dioptra-lint', args: ['server'] });
});

test('pickDryRunLens: the entry point at or above the cursor', () => {
  const lens = (line, name) => ({ range: { start: { line, character: 2 }, end: { line, character: 7 } },
    command: { title: `Dry run ${name}`, command: cfg.DRY_RUN, arguments: ['file:///p/MLproject', name] } });
  const lenses = [lens(3, 'train'), lens(20, 'infer'), { range: lens(25).range, command: { command: 'other' } }];
  assert.equal(cfg.pickDryRunLens(lenses, 10).command.arguments[1], 'train');
  assert.equal(cfg.pickDryRunLens(lenses, 20).command.arguments[1], 'infer');
  assert.equal(cfg.pickDryRunLens(lenses, 0).command.arguments[1], 'train');
  assert.equal(cfg.pickDryRunLens([], 0), null);
  assert.equal(cfg.dryRunText({ entryPoint: 'train', ok: true, text: 'ok' }), 'ok');
});

test('package.json: language, activation, settings and command agree with the client', () => {
  const lang = pkg.contributes.languages.find((l) => l.id === cfg.MLPROJECT_LANGUAGE);
  assert.ok(lang, 'no mlproject language contributed');
  assert.ok(lang.filenames.includes('MLproject'));
  assert.ok(pkg.activationEvents.includes(`onLanguage:${cfg.MLPROJECT_LANGUAGE}`));
  const props = pkg.contributes.configuration.properties;
  for (const key of ['select', 'ignore', 'pluginDirs', 'server.command']) {
    assert.ok(`${cfg.SECTION}.${key}` in props, `setting ${cfg.SECTION}.${key} not contributed`);
  }
  assert.deepEqual(cfg.clientSettings((k) => props[`${cfg.SECTION}.${k}`].default), { ignore: [], pluginDirs: [] });
  assert.ok(pkg.contributes.commands.some((c) => c.command === cfg.DRY_RUN));
  assert.ok(fs.existsSync(path.join(__dirname, '..', pkg.main)));
  for (const g of pkg.contributes.grammars) assert.ok(fs.existsSync(path.join(__dirname, '..', g.path)));
  // The filename glob: MLproject in any case, nothing with an extension.
  const glob = lang.filenamePatterns[0].replace('**/', '');
  const re = new RegExp(`^${glob}$`);
  for (const name of ['MLproject', 'mlproject', 'MLPROJECT', 'MlProject']) assert.ok(re.test(name), name);
  for (const name of ['MLproject.yaml', 'MLprojects']) assert.ok(!re.test(name), name);
  // The pinned client libraries are those the lockfile resolves.
  const lock = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package-lock.json'), 'utf8'));
  assert.equal(lock.packages['node_modules/vscode-languageclient'].version, pkg.dependencies['vscode-languageclient']);
});
