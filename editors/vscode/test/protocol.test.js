'use strict';
// Drives dioptra-lsp over stdio the way the VS Code extension's client does: the capabilities
// vscode-languageclient announces, the extension's initializationOptions and
// workspace/configuration answers (lib/config.js), didOpen of the MLproject and its script, then
// diagnostics (pulled when the server offers pull, as VS Code does; pushed otherwise), the
// "Dry run" code lens and the dioptra-lint.dryRun command.
//
// Server command: DIOPTRA_LSP_CMD (a JSON list), default ["dioptra-lsp"].  Every wait is bounded
// by DIOPTRA_WAIT seconds (default 20).

const test = require('node:test');
const assert = require('node:assert/strict');
const cp = require('node:child_process');

const rpc = require('vscode-jsonrpc/node');
const P = require('vscode-languageserver-protocol');
const cfg = require('../lib/config');
const { languageClientCapabilities, VSCODE_VERSION } = require('./vscode-capabilities');
const { MLPROJECT, TRAIN_PY, DL201_LINE, DL201_START, DL201_END, makeProject, WAIT_MS, SERVER } =
  require('./project');

function deadline(promise, what, ms = WAIT_MS) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client session: the server process plus everything it sent. */
async function startSession(project, settings) {
  const proc = cp.spawn(SERVER[0], SERVER.slice(1), { cwd: project.root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  const spawnError = new Promise((_, reject) => proc.on('error', reject));
  const connection = P.createProtocolConnection(
    new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const session = { proc, connection, pushed: new Map(), registrations: [], configRequests: [], messages: [],
    get stderr() { return stderr; } };

  connection.onNotification(P.PublishDiagnosticsNotification.type, (params) => {
    session.pushed.set(params.uri, params.diagnostics);
  });
  connection.onNotification(P.ShowMessageNotification.type, (params) => session.messages.push(params));
  connection.onNotification(P.LogMessageNotification.type, () => {});
  connection.onNotification(P.TelemetryEventNotification.type, () => {});
  connection.onProgress(P.WorkDoneProgress.type, '*', () => {});
  connection.onRequest(P.ConfigurationRequest.type, (params) => {
    session.configRequests.push(params);
    return cfg.configurationResult(params.items, () => settings);
  });
  connection.onRequest(P.RegistrationRequest.type, (params) => {
    session.registrations.push(...params.registrations);
    return null;
  });
  connection.onRequest(P.UnregistrationRequest.type, () => null);
  connection.onRequest(P.WorkDoneProgressCreateRequest.type, () => null);
  connection.onRequest(P.DiagnosticRefreshRequest.type, () => null);
  connection.onRequest(P.CodeLensRefreshRequest.type, () => null);
  connection.onRequest(P.SemanticTokensRefreshRequest.type, () => null);
  connection.onRequest(P.InlayHintRefreshRequest.type, () => null);
  connection.onRequest(P.ShowMessageRequest.type, () => null);
  connection.onRequest(P.ApplyWorkspaceEditRequest.type, () => ({ applied: false }));
  connection.onRequest(P.WorkspaceFoldersRequest.type, () => [{ uri: project.rootUri, name: 'demo' }]);
  connection.listen();

  const initParams = {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: VSCODE_VERSION },
    locale: 'en',
    rootPath: project.root,
    rootUri: project.rootUri,
    capabilities: languageClientCapabilities(),
    initializationOptions: cfg.initializationOptions(settings),
    trace: 'off',
    workspaceFolders: [{ uri: project.rootUri, name: 'demo' }],
  };
  session.init = await deadline(Promise.race([spawnError, connection.sendRequest(P.InitializeRequest.type, initParams)]),
    `the initialize response of ${SERVER.join(' ')}`);
  await connection.sendNotification(P.InitializedNotification.type, {});
  await connection.sendNotification(P.DidChangeConfigurationNotification.type, { settings: null });
  return session;
}

async function openProject(session, project) {
  await session.connection.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: project.mlprojectUri, languageId: cfg.MLPROJECT_LANGUAGE, version: 1, text: MLPROJECT },
  });
  await session.connection.sendNotification(P.DidOpenTextDocumentNotification.type, {
    textDocument: { uri: project.scriptUri, languageId: 'python', version: 1, text: TRAIN_PY },
  });
}

function pullProvider(session) {
  if (session.init.capabilities.diagnosticProvider) return true;
  return session.registrations.some((r) => r.method === 'textDocument/diagnostic');
}

/** The MLproject's diagnostics, as VS Code would get them; `until` decides when they are final. */
async function diagnostics(session, uri, until) {
  const end = Date.now() + WAIT_MS;
  let last = null;
  while (Date.now() < end) {
    if (pullProvider(session)) {
      const report = await deadline(session.connection.sendRequest(P.DocumentDiagnosticRequest.type,
        { textDocument: { uri } }), 'textDocument/diagnostic');
      if (report && report.kind === 'full') last = { via: 'pull', items: report.items };
    } else if (session.pushed.has(uri)) {
      last = { via: 'push', items: session.pushed.get(uri) };
    }
    if (last && until(last.items)) return last;
    await sleep(100);
  }
  throw new Error(`diagnostics of ${uri} not as expected within ${WAIT_MS / 1000}s: ` +
    `${JSON.stringify(last)}\nserver stderr:\n${session.stderr.slice(-3000)}`);
}

async function stop(session) {
  try {
    await deadline(session.connection.sendRequest(P.ShutdownRequest.type), 'shutdown', 5000);
    await session.connection.sendNotification(P.ExitNotification.type);
  } catch (_) { /* killed below */ }
  const exited = new Promise((resolve) => session.proc.once('exit', resolve));
  if (session.proc.exitCode === null) {
    await Promise.race([exited, sleep(3000)]);
  }
  if (session.proc.exitCode === null) session.proc.kill('SIGKILL');
  session.connection.dispose();
}

test('VS Code client: DL201 on the MLproject at its exact range', async () => {
  const project = makeProject();
  const settings = cfg.clientSettings({ select: null, ignore: [], pluginDirs: [] });
  const session = await startSession(project, settings);
  try {
    await openProject(session, project);
    const got = await diagnostics(session, project.mlprojectUri, (items) => items.some((d) => d.code === 'DL201'));
    const dl201 = got.items.filter((d) => d.code === 'DL201');
    assert.equal(dl201.length, 1, JSON.stringify(got.items));
    assert.deepEqual(dl201[0].range, {
      start: { line: DL201_LINE, character: DL201_START },
      end: { line: DL201_LINE, character: DL201_END },
    });
    assert.equal(dl201[0].severity, P.DiagnosticSeverity.Error);
    assert.match(dl201[0].message, /--epochs/);
    // A client that announces pull diagnostics must be offered them (VS Code >= 1.74).
    assert.equal(got.via, 'pull', 'the server did not offer pull diagnostics to a client that supports them');
    // The server asked for the "dioptra-lint" section and got the extension's settings shape.
    assert.ok(session.configRequests.some((p) => p.items.some((i) => i.section === cfg.SECTION)),
      `no workspace/configuration request for ${cfg.SECTION}: ${JSON.stringify(session.configRequests)}`);
  } finally {
    await stop(session);
  }
});

test('VS Code client: settings (ignore) reach the server', async () => {
  const project = makeProject();
  const settings = cfg.clientSettings({ ignore: ['DL201'] });
  const session = await startSession(project, settings);
  try {
    await openProject(session, project);
    // The unused-check: a different rule still runs, DL201 is gone.
    const got = await diagnostics(session, project.mlprojectUri, (items) => true);
    assert.deepEqual(got.items.filter((d) => d.code === 'DL201'), [], JSON.stringify(got.items));
  } finally {
    await stop(session);
  }
});

test('VS Code client: "Dry run" code lens runs dioptra-lint.dryRun', async () => {
  const project = makeProject();
  const session = await startSession(project, cfg.clientSettings({}));
  try {
    await openProject(session, project);
    const commands = (session.init.capabilities.executeCommandProvider || {}).commands || [];
    assert.ok(commands.includes(cfg.DRY_RUN), `executeCommandProvider lacks ${cfg.DRY_RUN}: ${commands}`);
    let lenses = [];
    const end = Date.now() + WAIT_MS;
    while (Date.now() < end && lenses.length === 0) {
      lenses = (await deadline(session.connection.sendRequest(P.CodeLensRequest.type,
        { textDocument: { uri: project.mlprojectUri } }), 'textDocument/codeLens')) || [];
      if (lenses.length === 0) await sleep(100);
    }
    const lens = cfg.pickDryRunLens(lenses, 6);
    assert.ok(lens, `no dry-run lens: ${JSON.stringify(lenses)}`);
    assert.equal(lens.range.start.line, 3);                 // `  main:` names the entry point
    assert.deepEqual(lens.command.arguments.slice(0, 2), [project.mlprojectUri, 'main']);
    const result = await deadline(session.connection.sendRequest(P.ExecuteCommandRequest.type,
      { command: lens.command.command, arguments: lens.command.arguments }), 'dioptra-lint.dryRun');
    assert.equal(result.entryPoint, 'main');
    assert.equal(typeof cfg.dryRunText(result), 'string');
    assert.ok(cfg.dryRunText(result).length > 0);
  } finally {
    await stop(session);
  }
});
