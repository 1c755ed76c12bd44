'use strict';
// The ClientCapabilities that vscode-languageclient itself announces, computed by the real
// library: VS Code cannot be downloaded here, so its `vscode` module is replaced by a stub that
// answers every property with another stub (and a version string where one is checked).
// Nothing else of the stub is used: only `computeClientCapabilities()` runs.

const Module = require('module');
const path = require('path');

const VSCODE_VERSION = '1.95.0';
const OVERRIDES = { 'vscode.version': VSCODE_VERSION, 'vscode.env.language': 'en', 'vscode.env.appName': 'Visual Studio Code' };

function stub(name) {
  const fn = function () {};
  return new Proxy(fn, {
    get(_target, prop) {
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      const full = `${name}.${prop}`;
      if (full in OVERRIDES) return OVERRIDES[full];
      return stub(full);
    },
    apply() { return stub(`${name}()`); },
    construct() { return stub(`new ${name}`); },
  });
}

function withStubbedVscode(fn) {
  const original = Module._load;
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return stub('vscode');
    return original.call(this, request, ...rest);
  };
  try {
    return fn();
  } finally {
    Module._load = original;
  }
}

function languageClientCapabilities() {
  return withStubbedVscode(() => {
    const main = path.join(__dirname, '..', 'node_modules', 'vscode-languageclient', 'lib', 'node', 'main.js');
    const { LanguageClient } = require(main);
    const client = new LanguageClient('dioptra-lint', 'dioptra-lint', { command: 'dioptra-lsp' },
      { documentSelector: require('../lib/config').documentSelector });
    // JSON round trip: plain data only, as it goes over the wire.
    return JSON.parse(JSON.stringify(client.computeClientCapabilities()));
  });
}

module.exports = { languageClientCapabilities, VSCODE_VERSION };
