'use strict';
// `node tee-server.js LOG CMD ARGS...`: runs the server CMD and copies everything the client
// writes to it into LOG, so a test can read the messages the real client sent.
const cp = require('node:child_process');
const fs = require('node:fs');

const [log, cmd, ...args] = process.argv.slice(2);
const out = fs.openSync(log, 'a');
const child = cp.spawn(cmd, args, { stdio: ['pipe', 'inherit', 'inherit'] });
process.stdin.on('data', (chunk) => { fs.writeSync(out, chunk); child.stdin.write(chunk); });
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code, signal) => process.exit(code === null ? 1 : code));
process.on('SIGTERM', () => child.kill('SIGTERM'));
