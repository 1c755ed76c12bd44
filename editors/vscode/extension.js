'use strict';
// VS Code client for dioptra-lsp.  Plain CommonJS (no build step): `main` in package.json.

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');
const cfg = require('./lib/config');

let client = null;
let output = null;

function readSettings(scope) {
  const conf = vscode.workspace.getConfiguration(cfg.SECTION, scope || null);
  return cfg.clientSettings((key) => conf.get(key));
}

function settingsFor(scopeUri) {
  return readSettings(scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
}

async function entryPointArguments() {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('open an MLproject file first');
  const uri = editor.document.uri;
  const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri);
  const lens = cfg.pickDryRunLens(lenses, editor.selection.active.line);
  if (!lens || !lens.command) throw new Error('no entry point to dry-run in this file');
  return lens.command.arguments || [uri.toString()];
}

function createClient() {
  const conf = vscode.workspace.getConfiguration(cfg.SECTION);
  const { command, args } = cfg.serverCommand(conf.get('server.command'));
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: cfg.documentSelector,
    initializationOptions: cfg.initializationOptions(readSettings()),
    synchronize: { configurationSection: cfg.SECTION },
    outputChannel: output,
    middleware: {
      workspace: {
        // Answer with the cleaned settings object the server documents, not the raw config.
        configuration: async (params, token, next) => {
          const ours = (params.items || []).some((i) => i.section && i.section.startsWith(cfg.SECTION));
          if (!ours) return next(params, token);
          return cfg.configurationResult(params.items, settingsFor);
        },
      },
      // The client registers `dioptra-lint.dryRun` from the server's executeCommandProvider; a
      // code lens passes [uri, entryPoint], the command palette passes nothing: fill it in.
      executeCommand: async (command, args, next) => {
        if (command !== cfg.DRY_RUN) return next(command, args);
        const callArgs = args && args.length ? args : await entryPointArguments();
        const result = await next(command, callArgs);
        output.appendLine(cfg.dryRunText(result));
        output.show(true);
        return result;
      },
    },
  };
  return new LanguageClient('dioptra-lint', 'dioptra-lint', serverOptions, clientOptions);
}

async function activate(context) {
  output = vscode.window.createOutputChannel('dioptra-lint');
  client = createClient();
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('dioptra-lint.restartServer', async () => {
      if (client) await client.stop();
      client = createClient();
      await client.start();
    }),
    { dispose: () => (client ? client.stop() : undefined) },
  );
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `dioptra-lint: could not start the language server (${err.message || err}). ` +
        'Install it with `pip install dioptra-lint` or set dioptra-lint.server.command.');
  }
}

async function deactivate() {
  if (client) await client.stop();
  client = null;
}

module.exports = { activate, deactivate };
