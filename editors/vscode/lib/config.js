'use strict';
// The parts of the extension that do not need the `vscode` module: settings shape, server
// command, document selector and the dry-run lens pick.  Tested with plain Node.

const SECTION = 'dioptra-lint';
const DRY_RUN = 'dioptra-lint.dryRun';
const MLPROJECT_LANGUAGE = 'mlproject';

/** Files the client sends to the server: MLproject (any case) and Python, on disk. */
const documentSelector = [
  { scheme: 'file', language: MLPROJECT_LANGUAGE },
  { scheme: 'file', pattern: '**/[Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt]' },
  { scheme: 'file', language: 'python' },
];

function stringList(value, name) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`${SECTION}.${name} must be a list of strings`);
  }
  return value.map((v) => v.trim()).filter((v) => v.length > 0);
}

/**
 * The client settings as the server reads them (dioptra_lsp/lsp/settings.py):
 * `{select?, ignore, pluginDirs}`.  `get(key)` reads one key of the `dioptra-lint` section
 * (a vscode.WorkspaceConfiguration's `get`, or a plain object lookup).  `select` is left out
 * when unset so the config file's selection stays in force.
 */
function clientSettings(get) {
  const read = typeof get === 'function' ? get : (key) => (get || {})[key];
  const out = {};
  const select = read('select');
  if (select !== undefined && select !== null) out.select = stringList(select, 'select');
  out.ignore = stringList(read('ignore'), 'ignore');
  out.pluginDirs = stringList(read('pluginDirs'), 'pluginDirs');
  return out;
}

/** initializationOptions: the settings under the section name. */
function initializationOptions(settings) {
  return { [SECTION]: settings };
}

/** Answer to workspace/configuration: our section for our items, `null` for other sections. */
function configurationResult(items, settingsFor) {
  return (items || []).map((item) => {
    if (!item || item.section === undefined || item.section === null) {
      return { [SECTION]: settingsFor(item && item.scopeUri) };
    }
    if (item.section === SECTION) return settingsFor(item.scopeUri);
    if (item.section.startsWith(SECTION + '.')) {
      const value = settingsFor(item.scopeUri)[item.section.slice(SECTION.length + 1)];
      return value === undefined ? null : value;
    }
    return null;
  });
}

/** `{command, args}` from the `dioptra-lint.server.command` setting (a list or a string). */
function serverCommand(setting) {
  let parts = setting;
  if (typeof parts === 'string') parts = parts.trim().split(/\s+/);
  if (!Array.isArray(parts) || parts.length === 0 || !parts[0]) parts = ['dioptra-lsp'];
  return { command: parts[0], args: parts.slice(1) };
}

/**
 * The dry-run lens for a cursor on 0-based `line`: the entry point whose name is at or above
 * the line (the closest one), else the first lens.  `lenses` are LSP or vscode CodeLens objects.
 */
function pickDryRunLens(lenses, line) {
  const startLine = (lens) => (lens.range.start.line !== undefined ? lens.range.start.line : lens.range.start._line);
  const ours = (lenses || []).filter((l) => l && l.command && l.command.command === DRY_RUN);
  let best = null;
  for (const lens of ours) {
    const start = startLine(lens);
    if (start <= line && (best === null || start > startLine(best))) best = lens;
  }
  return best || ours[0] || null;
}

/** Text to show for a dioptra-lint.dryRun result `{entryPoint, ok, report, text}`. */
function dryRunText(result) {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  if (typeof result.text === 'string') return result.text;
  return JSON.stringify(result, null, 2);
}

module.exports = {
  SECTION,
  DRY_RUN,
  MLPROJECT_LANGUAGE,
  documentSelector,
  clientSettings,
  initializationOptions,
  configurationResult,
  serverCommand,
  pickDryRunLens,
  dryRunText,
};
