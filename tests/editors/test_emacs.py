"""Emacs 28 + eglot 1.9 (emacs --batch, the real client): editors/emacs/dioptra-lint.el puts
MLproject files in `mlproject-mode', registers dioptra-lsp with eglot, and flymake shows the DL201
diagnostic at its exact position; the project's Python script joins the same server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # editor_support, lspclient

from editor_support import (DL201_END, DL201_LINE, DL201_START, EDITORS, WAIT, make_project,
                      require_binary, require_server, server_command)

DRIVER = r"""
(require 'json)
(setq load-prefer-newer t
      inhibit-message nil
      eglot-sync-connect WAIT
      eglot-connect-timeout WAIT)
(add-to-list 'load-path EDITOR-DIR)
(require 'dioptra-lint)
(setq dioptra-lint-server-command SERVER-CMD)
SETTINGS-FORM

(defun test--pos (pos)
  (save-excursion (goto-char pos) (list (1- (line-number-at-pos)) (current-column))))

(defun test--finish (result)
  (with-temp-file OUT-FILE (insert (json-encode result)))
  (kill-emacs 0))

(condition-case err
    (let (result)
      (find-file MLPROJECT-FILE)
      (push (cons 'mode (symbol-name major-mode)) result)
      (flymake-mode 1)
      (apply #'eglot (eglot--guess-contact))
      (let ((deadline (+ (float-time) WAIT)))
        ;; Wait for every expected code (DL107, the unused `lr`, is on in every scenario).
        (while (and (not (cl-every
                          (lambda (code)
                            (cl-some (lambda (d) (string-match-p code (flymake-diagnostic-text d)))
                                     (flymake-diagnostics)))
                          EXPECTED-CODES))
                    (< (float-time) deadline))
          (accept-process-output nil 0.2)))
      (let ((server (eglot-current-server)))
        (push (cons 'diagnostics
                    (vconcat
                     (mapcar (lambda (d)
                               (let ((beg (test--pos (flymake-diagnostic-beg d)))
                                     (end (test--pos (flymake-diagnostic-end d))))
                                 (list (cons 'line (car beg)) (cons 'col (cadr beg))
                                       (cons 'end_line (car end)) (cons 'end_col (cadr end))
                                       (cons 'type (symbol-name (flymake-diagnostic-type d)))
                                       (cons 'text (flymake-diagnostic-text d)))))
                             (flymake-diagnostics))))
              result)
        (push (cons 'root (expand-file-name (project-root (eglot--project server)))) result)
        (push (cons 'language_id (eglot--language-id server)) result)
        (when DRY-RUN
          (goto-char (point-min))
          (forward-line 7)
          (let ((answer (dioptra-lint-dry-run)))
            (push (cons 'dry_run_entry (plist-get answer :entryPoint)) result)
            (push (cons 'dry_run_buffer
                        (with-current-buffer "*dioptra-lint dry run*" (buffer-string)))
                  result))
          (test--finish result))
        (find-file SCRIPT-FILE)
        (let ((deadline (+ (float-time) 5)))
          (while (and (not (eglot-current-server)) (< (float-time) deadline))
            (accept-process-output nil 0.1)))
        (push (cons 'py_mode (symbol-name major-mode)) result)
        (push (cons 'py_same_server (if (eq (eglot-current-server) server) t :json-false)) result))
      (test--finish result))
  (error (test--finish (list (cons 'error (format "%S" err))))))
"""


def elisp_string(text: str) -> str:
    return json.dumps(text)          # a JSON string literal is a valid Emacs Lisp string here


def run_emacs(project, tmp_path, *, ignore=(), dry_run=False):
    emacs = require_binary("emacs", "apt-get install -y emacs-nox elpa-eglot")
    require_server()
    out = tmp_path / "emacs-result.json"
    cmd = "(" + " ".join(elisp_string(part) for part in server_command()) + ")"
    driver = (DRIVER.replace("EDITOR-DIR", elisp_string(str(EDITORS / "emacs")))
              .replace("SERVER-CMD", "'" + cmd)
              .replace("OUT-FILE", elisp_string(str(out)))
              .replace("MLPROJECT-FILE", elisp_string(str(project.mlproject)))
              .replace("SCRIPT-FILE", elisp_string(str(project.script)))
              .replace("SETTINGS-FORM", "(setq dioptra-lint-ignore '("
                       + " ".join(elisp_string(code) for code in ignore) + "))")
              .replace("DRY-RUN", "t" if dry_run else "nil")
              .replace("EXPECTED-CODES", "'(\"DL107\")" if "DL201" in ignore
                       else "'(\"DL107\" \"DL201\")")
              .replace("WAIT", str(WAIT)))
    script = tmp_path / "driver.el"
    script.write_text(driver, encoding="utf-8")
    # --no-init-file and a tmp HOME: no user init or ~/.emacs.d state; site-start stays, since
    # that is where Debian's elpa-eglot is put on the load-path.
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run([emacs, "--batch", "--no-init-file", "-l", str(script)], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=2 * WAIT + 15,
                          stdin=subprocess.DEVNULL)
    assert out.is_file(), f"emacs wrote no result (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, f"{result['error']}\n{proc.stderr[-4000:]}"
    return result


def test_emacs_eglot_flymake_shows_dl201(tmp_path):
    project = make_project(tmp_path / "demo", git=True)    # eglot wants a project: a git repo
    result = run_emacs(project, tmp_path)
    assert result["mode"] == "mlproject-mode"
    diags = [d for d in result["diagnostics"] if "DL201" in d["text"]]
    assert len(diags) == 1, result
    d = diags[0]
    assert (d["line"], d["col"], d["end_line"], d["end_col"]) == \
        (DL201_LINE, DL201_START, DL201_LINE, DL201_END), d
    assert d["type"] == "eglot-error"
    assert "--epochs" in d["text"]
    assert os.path.realpath(result["root"]) == os.path.realpath(project.root)
    assert result["py_mode"] == "python-mode"
    assert result["py_same_server"] is True


def test_emacs_lowercase_mlproject_gets_the_mode(tmp_path):
    project = make_project(tmp_path / "lower", git=True, mlproject_name="mlproject")
    result = run_emacs(project, tmp_path)
    assert result["mode"] == "mlproject-mode"
    assert [d["text"] for d in result["diagnostics"] if "DL201" in d["text"]], result


def test_emacs_settings_reach_the_server(tmp_path):
    project = make_project(tmp_path / "demo", git=True)
    result = run_emacs(project, tmp_path, ignore=["DL201"])
    texts = [d["text"] for d in result["diagnostics"]]
    assert any("DL107" in t for t in texts) and not any("DL201" in t for t in texts), texts


def test_emacs_dry_run_command(tmp_path):
    project = make_project(tmp_path / "demo", git=True)
    result = run_emacs(project, tmp_path, dry_run=True)
    assert result["dry_run_entry"] == "main", result
    assert "No such option" in result["dry_run_buffer"], result
    assert "python src/train.py --epoch 3" in result["dry_run_buffer"], result


def test_emacs_package_byte_compiles_cleanly(tmp_path):
    emacs = require_binary("emacs", "apt-get install -y emacs-nox elpa-eglot")
    source = tmp_path / "dioptra-lint.el"
    source.write_bytes((EDITORS / "emacs" / "dioptra-lint.el").read_bytes())
    proc = subprocess.run(
        [emacs, "--batch", "--no-init-file", "--eval",
         "(progn (setq byte-compile-error-on-warn t)"
         f" (kill-emacs (if (byte-compile-file {elisp_string(str(source))}) 0 1)))"],
        cwd=tmp_path, env=dict(os.environ, HOME=str(tmp_path)), capture_output=True, text=True,
        timeout=WAIT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
