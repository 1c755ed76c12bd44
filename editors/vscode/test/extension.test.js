'use strict';
// extension.js itself, with the real vscode-languageclient and the real server, inside a
// stand-in `vscode` module (test/fake-vscode.js; VS Code cannot be downloaded here).  The
// server runs behind test/tee-server.js, which records what the client sends, so the
// initializationOptions and workspace/configuration answers are checked on the wire.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { makeFakeVscode } = require('./fake-vscode');
const { makeProject, parseMessages, WAIT_MS, SERVER } = require('./project');

const EXTENSION = path.join(__dirname, '..', 'extension.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Load a fresh copy of extension.js (and the client library) against `fake.vscode`. */
function loadExtension(fake) {
  for (const key of Object.keys(require.cache)) {
    if (key === EXTENSION || key.includes(`${path.sep}vscode-languageclient${path.sep}`)) delete require.cache[key];
  }
  const original = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return fake.vscode;
    return original.call(this, request, ...rest);
  };
  try {
    return require(EXTENSION);
  } finally {
    Module._load = original;
  }
}

async function until(predicate, what) {
  const end = Date.now() + WAIT_MS;
  while (Date.now() < end) {
    const value = predicate();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out after ${WAIT_MS / 1000}s waiting for ${what}`);
}

function withTimeout(promise, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${WAIT_MS / 1000}s: ${what}`)), WAIT_MS);
  })]).finally(() => clearTimeout(timer));
}

test('extension.js: activates, starts dioptra-lsp with its settings, runs the dry run', async () => {
  const project = makeProject();
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dioptra-tee-')), 'client.log');
  const fake = makeFakeVscode({
    workspaceRoot: project.root,
    settings: {
      'dioptra-lint.server.command': [process.execPath, path.join(__dirname, 'tee-server.js'), log, ...SERVER],
      'dioptra-lint.select': null,
      'dioptra-lint.ignore': ['DL205'],
      'dioptra-lint.pluginDirs': ['task-plugins'],
    },
  });
  const extension = loadExtension(fake);
  const context = { subscriptions: [] };
  await withTimeout(extension.activate(context), 'activate()');
  try {
    assert.deepEqual(fake.messages, [], 'activation reported an error');
    // The client registered the server's command (executeCommandProvider) next to ours.
    assert.ok(fake.commands.has('dioptra-lint.dryRun'), [...fake.commands.keys()].join(', '));
    assert.ok(fake.commands.has('dioptra-lint.restartServer'));

    // What the extension sent: initializationOptions and the workspace/configuration answer.
    const expected = { ignore: ['DL205'], pluginDirs: ['task-plugins'] };
    const sent = () => (fs.existsSync(log) ? parseMessages(fs.readFileSync(log)) : []);
    const init = (await until(() => sent().find((m) => m.method === 'initialize'), 'initialize')).params;
    assert.deepEqual(init.initializationOptions, { 'dioptra-lint': expected });
    assert.equal(init.clientInfo.name, 'Visual Studio Code');
    assert.ok(init.capabilities.textDocument.diagnostic, 'the client announces pull diagnostics');
    const answer = await until(() => sent().find((m) => m.method === undefined && Array.isArray(m.result) &&
      m.result.some((r) => r && Array.isArray(r.ignore))), 'the workspace/configuration answer');
    assert.deepEqual(answer.result.find((r) => r && Array.isArray(r.ignore)), expected);

    // The dry-run command as the "Dry run" lens calls it: [uri, entryPoint].
    const result = await withTimeout(fake.vscode.commands.executeCommand(
      'dioptra-lint.dryRun', project.mlprojectUri, 'main'), 'dioptra-lint.dryRun');
    assert.equal(result.entryPoint, 'main');
    assert.equal(result.ok, false);
    assert.ok(fake.output.some((line) => line.includes("No such option '--epoch'")), fake.output.join('\n'));
  } finally {
    await withTimeout(extension.deactivate(), 'deactivate()');
  }
  // deactivate() stopped the server the LSP way.
  const methods = parseMessages(fs.readFileSync(log)).map((m) => m.method);
  assert.ok(methods.includes('shutdown'), methods.join(', '));
});

test('extension.js: a server that cannot start is reported with the install hint', async () => {
  const project = makeProject();
  const fake = makeFakeVscode({
    workspaceRoot: project.root,
    settings: { 'dioptra-lint.server.command': [path.join(project.root, 'no-such-dioptra-lsp')] },
  });
  const extension = loadExtension(fake);
  await withTimeout(extension.activate({ subscriptions: [] }), 'activate()');
  try {
    // vscode-languageclient shows its own "couldn't create connection"; ours adds the hint.
    const [kind, text] = await until(() => fake.messages.find(([, m]) => /could not start the language server/.test(m)),
      'the extension\'s error message');
    assert.equal(kind, 'error');
    assert.match(text, /pip install dioptra-lint`/);
    assert.match(text, /dioptra-lint\.server\.command/);
  } finally {
    await withTimeout(extension.deactivate().catch(() => {}), 'deactivate()');
  }
});
