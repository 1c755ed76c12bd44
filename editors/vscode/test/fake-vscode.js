'use strict';
// A stand-in for the `vscode` module, enough for extension.js and vscode-languageclient to
// activate, start the real server and run commands, outside VS Code (which cannot be
// downloaded here).  What matters is real: Uri, configuration, commands, output channel,
// workspace folders, documents (none open).  Everything else answers with an inert stub
// (callable, constructible, every property another stub) and is recorded in `touched`.

const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');

function makeFakeVscode({ settings = {}, workspaceRoot, version = '1.95.0' }) {
  const touched = new Set();
  const commands = new Map();
  const output = [];
  const messages = [];

  function stub(name) {
    const fn = function () {};
    return new Proxy(fn, {
      get(_t, prop) {
        if (typeof prop === 'symbol' || prop === 'then') return undefined;
        touched.add(`${name}.${prop}`);
        return stub(`${name}.${prop}`);
      },
      apply() { return stub(`${name}()`); },
      construct() { return stub(`new ${name}`); },
    });
  }

  class Uri {
    constructor(scheme, p) { this.scheme = scheme; this.path = p; this.fsPath = p; this.authority = ''; this.query = ''; this.fragment = ''; }
    static file(p) { return new Uri('file', path.resolve(p)); }
    static parse(s) {
      if (s.startsWith('file:')) return new Uri('file', fileURLToPath(s));
      const i = s.indexOf(':');
      return new Uri(s.slice(0, i), s.slice(i + 1));
    }
    toString() { return this.scheme === 'file' ? pathToFileURL(this.fsPath).href : `${this.scheme}:${this.path}`; }
    toJSON() { return { scheme: this.scheme, path: this.path, fsPath: this.fsPath }; }
    with(change) { return Object.assign(new Uri(this.scheme, this.path), change); }
  }

  class Disposable {
    constructor(fn) { this._fn = fn; }
    static from(...items) { return new Disposable(() => items.forEach((i) => i && i.dispose && i.dispose())); }
    dispose() { if (this._fn) this._fn(); this._fn = undefined; }
  }

  class EventEmitter {
    constructor() { this._listeners = []; this.event = (l) => { this._listeners.push(l); return new Disposable(() => {}); }; }
    fire(e) { this._listeners.forEach((l) => l(e)); }
    dispose() { this._listeners = []; }
  }

  const event = () => new Disposable(() => {});
  const channel = (name) => ({
    name,
    append: (t) => output.push(t),
    appendLine: (t) => output.push(t),
    replace: (t) => output.push(t),
    clear() {}, show() {}, hide() {}, dispose() {},
    // LogOutputChannel
    trace() {}, debug() {}, info(t) { output.push(t); }, warn(t) { output.push(t); }, error(t) { output.push(t); },
    logLevel: 0, onDidChangeLogLevel: event,
  });
  const folder = { uri: Uri.file(workspaceRoot), name: path.basename(workspaceRoot), index: 0 };
  const configuration = (section) => ({
    get(key, dflt) {
      const full = section ? `${section}.${key}` : key;
      return Object.prototype.hasOwnProperty.call(settings, full) ? settings[full] : dflt;
    },
    has(key) { return Object.prototype.hasOwnProperty.call(settings, section ? `${section}.${key}` : key); },
    inspect() { return undefined; },
    update: async () => {},
  });

  const overrides = {
    version,
    Uri,
    Disposable,
    EventEmitter,
    env: { appName: 'Visual Studio Code', language: 'en', machineId: 'test', uiKind: 1, remoteName: undefined },
    workspace: {
      getConfiguration: configuration,
      workspaceFolders: [folder],
      getWorkspaceFolder: () => folder,
      textDocuments: [],
      notebookDocuments: [],
      rootPath: workspaceRoot,
      name: folder.name,
      isTrusted: true,
    },
    window: {
      createOutputChannel: channel,
      showErrorMessage: async (m) => { messages.push(['error', m]); },
      showWarningMessage: async (m) => { messages.push(['warning', m]); },
      showInformationMessage: async (m) => { messages.push(['info', m]); },
      visibleTextEditors: [],
      activeTextEditor: undefined,
      tabGroups: { all: [], onDidChangeTabs: event, onDidChangeTabGroups: event },
      visibleNotebookEditors: [],
    },
    commands: {
      registerCommand(id, handler) {
        if (commands.has(id)) throw new Error(`command '${id}' already exists`);
        commands.set(id, handler);
        return new Disposable(() => commands.delete(id));
      },
      executeCommand: async (id, ...args) => {
        const handler = commands.get(id);
        if (!handler) throw new Error(`command '${id}' not found`);
        return handler(...args);
      },
      getCommands: async () => [...commands.keys()],
    },
    extensions: { all: [], getExtension: () => undefined, onDidChange: event },
  };

  function wrap(name, real) {
    if (real === null || typeof real !== 'object' || Array.isArray(real) || real instanceof Uri) return real;
    if (typeof real === 'function') return real;
    return new Proxy(real, {
      get(target, prop) {
        if (typeof prop === 'symbol') return target[prop];
        if (prop in target) return wrap(`${name}.${prop}`, target[prop]);
        if (prop === 'then') return undefined;
        if (/^onDid|^onWill/.test(prop)) return event;
        touched.add(`${name}.${prop}`);
        return stub(`${name}.${prop}`);
      },
    });
  }

  const vscode = wrap('vscode', overrides);
  return { vscode, commands, output, messages, touched };
}

module.exports = { makeFakeVscode };
