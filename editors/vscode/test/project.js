'use strict';
// The tmp project of the VS Code tests: `--epoch` passed while the click option is `--epochs`.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const MLPROJECT = [
  'name: demo',
  '',
  'entry_points:',
  '  main:',
  '    parameters:',
  '      epochs: {type: float, default: 3}',
  '    command: "python src/train.py --epoch {epochs}"',
  '',
].join('\n');
const TRAIN_PY = [
  'import click',
  '',
  '',
  '@click.command()',
  '@click.option("--epochs", type=float, default=3)',
  'def main(epochs):',
  '    print(epochs)',
  '',
  '',
  'if __name__ == "__main__":',
  '    main()',
  '',
].join('\n');
const DL201_LINE = 6;
const DL201_START = MLPROJECT.split('\n')[DL201_LINE].indexOf('--epoch');
const DL201_END = DL201_START + '--epoch'.length;

function makeProject() {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dioptra-vscode-')));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'MLproject'), MLPROJECT);
  fs.writeFileSync(path.join(root, 'src', 'train.py'), TRAIN_PY);
  return {
    root,
    rootUri: pathToFileURL(root).href,
    mlprojectUri: pathToFileURL(path.join(root, 'MLproject')).href,
    scriptUri: pathToFileURL(path.join(root, 'src', 'train.py')).href,
  };
}

/** Client-to-server messages from a raw LSP byte stream (Content-Length framing). */
function parseMessages(buffer) {
  const messages = [];
  let rest = buffer;
  for (;;) {
    const headerEnd = rest.indexOf('\r\n\r\n');
    if (headerEnd < 0) break;
    const match = /Content-Length:\s*(\d+)/i.exec(rest.subarray(0, headerEnd).toString('ascii'));
    if (!match) break;
    const start = headerEnd + 4;
    const end = start + Number(match[1]);
    if (rest.length < end) break;
    messages.push(JSON.parse(rest.subarray(start, end).toString('utf8')));
    rest = rest.subarray(end);
  }
  return messages;
}

const WAIT_MS = 1000 * Number(process.env.DIOPTRA_WAIT || 20);
const SERVER = JSON.parse(process.env.DIOPTRA_LSP_CMD || '["dioptra-lsp"]');

module.exports = { MLPROJECT, TRAIN_PY, DL201_LINE, DL201_START, DL201_END, makeProject, parseMessages, WAIT_MS, SERVER };
