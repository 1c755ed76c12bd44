;;; dioptra-lint.el --- MLproject mode and eglot setup for dioptra-lsp  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: https://example.invalid/dioptra-lint

;;; Commentary:

;; Editor support for Dioptra / MLflow entry points, backed by the `dioptra-lsp' language
;; server (pip install dioptra-lint).
;;
;; - `mlproject-mode': a small major mode for MLproject files (YAML with no extension, any
;;   case).  Emacs 28 ships no yaml-mode; when `yaml-mode' is installed the mode derives from it
;;   (set `dioptra-lint-mlproject-parent' before loading to choose).
;; - eglot registration of `dioptra-lsp' for `mlproject-mode' and, unless
;;   `dioptra-lint-eglot-python' is nil, `python-mode' and `python-ts-mode' (one server per
;;   project root, so the MLproject and the scripts it runs are checked together).
;; - `dioptra-lint-select', `dioptra-lint-ignore', `dioptra-lint-plugin-dirs' are sent as
;;   initializationOptions and answered to workspace/configuration (section "dioptra-lint").
;; - `dioptra-lint-dry-run': runs the server's `dioptra-lint.dryRun' command for the entry point
;;   under point (the "Dry run" code lens of other editors; eglot 1.9 has no code lens).
;;
;; Setup:
;;   (add-to-list 'load-path "/path/to/dioptra-lint/editors/emacs")
;;   (require 'dioptra-lint)
;;   (add-hook 'mlproject-mode-hook #'eglot-ensure)
;;   (add-hook 'python-mode-hook #'eglot-ensure)   ; optional

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup dioptra-lint nil
  "Dioptra / MLflow entry point linting."
  :group 'tools
  :prefix "dioptra-lint-")

(defcustom dioptra-lint-server-command '("dioptra-lsp")
  "Command line that starts the language server (stdio)."
  :type '(repeat string))

(defcustom dioptra-lint-select nil
  "Rule codes or prefixes to enable; nil keeps the config file's selection.
When set, it replaces the selection of `[tool.dioptra-lint]'."
  :type '(choice (const :tag "From config" nil) (repeat string)))

(defcustom dioptra-lint-ignore nil
  "Rule codes or prefixes to skip, added to the config file's ignore list."
  :type '(repeat string))

(defcustom dioptra-lint-plugin-dirs nil
  "Extra task-plugin folders (relative ones are resolved against the project root)."
  :type '(repeat directory))

(defcustom dioptra-lint-eglot-python t
  "When non-nil, register `dioptra-lsp' for `python-mode' too.
eglot 1.9 runs one server per major mode, so this replaces another
Python server (pylsp...).  Set it before loading this file."
  :type 'boolean)

(defvar dioptra-lint-mlproject-parent (if (fboundp 'yaml-mode) 'yaml-mode 'prog-mode)
  "Major mode `mlproject-mode' derives from; read when this file is loaded.")

;;;; mlproject-mode

(defvar mlproject-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?' "\"" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?- "_" table)
    table)
  "Syntax table of `mlproject-mode'.")

(defconst mlproject-font-lock-keywords
  `((,(regexp-opt '("name" "conda_env" "python_env" "docker_env" "entry_points"
                    "parameters" "command" "type" "default" "image" "volumes" "environment")
                  'symbols)
     . font-lock-builtin-face)
    ("^\\s-*\\(?:-\\s-+\\)?\\([[:alnum:]_.-]+\\)\\s-*:\\(?:\\s-\\|$\\)" 1 font-lock-variable-name-face)
    ("{\\([[:alnum:]_]+\\)}" 1 font-lock-constant-face t)
    ("\\_<--?[[:alpha:]][[:alnum:]_-]*" . font-lock-keyword-face)
    (,(regexp-opt '("string" "float" "path" "uri" "int") 'symbols) . font-lock-type-face)
    ("[|>][-+]?\\s-*$" . font-lock-preprocessor-face))
  "Highlighting of `mlproject-mode'.
YAML keys, MLproject keywords, {placeholders} and --flags.")

(defun mlproject-indent-line ()
  "Indent like the previous non-blank line.
Indent one more step after a line ending in `:'."
  (interactive)
  (let* ((prev (save-excursion
                 (forward-line -1)
                 (while (and (not (bobp)) (looking-at-p "^\\s-*$"))
                   (forward-line -1))
                 (cons (current-indentation)
                       (looking-at-p ".*:\\s-*\\(?:#.*\\)?$"))))
         (target (+ (car prev) (if (cdr prev) 2 0)))
         (offset (- (current-column) (current-indentation))))
    (indent-line-to target)
    (when (> offset 0) (forward-char offset))))

(eval
 `(define-derived-mode mlproject-mode ,dioptra-lint-mlproject-parent "MLproject"
    "Major mode for MLflow / Dioptra MLproject files (YAML).
\\{mlproject-mode-map}"
    :syntax-table mlproject-mode-syntax-table
    (setq-local comment-start "# ")
    (setq-local comment-start-skip "#+\\s-*")
    (setq-local indent-tabs-mode nil)
    (setq-local tab-width 2)
    (unless (eq dioptra-lint-mlproject-parent 'yaml-mode)
      (setq-local font-lock-defaults '(mlproject-font-lock-keywords nil nil))
      (setq-local indent-line-function #'mlproject-indent-line))))

;;;###autoload (autoload 'mlproject-mode "dioptra-lint" "Major mode for MLproject files." t)
;;;###autoload
(add-to-list 'auto-mode-alist
             '("/[Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt]\\'" . mlproject-mode))

;;;; eglot

(defun dioptra-lint--settings ()
  "The client settings as a plist for JSON: select (when set), ignore, pluginDirs."
  (append (when dioptra-lint-select (list :select (vconcat dioptra-lint-select)))
          (list :ignore (vconcat dioptra-lint-ignore)
                :pluginDirs (vconcat dioptra-lint-plugin-dirs))))

(defun dioptra-lint--initialization-options (_server)
  "initializationOptions for `dioptra-lsp'."
  (list :dioptra-lint (dioptra-lint--settings)))

(defun dioptra-lint-workspace-configuration (&optional _server)
  "Value for `eglot-workspace-configuration': the section \"dioptra-lint\"."
  (list :dioptra-lint (dioptra-lint--settings)))

(defun dioptra-lint--contact (&optional _interactive)
  "eglot contact: the server command with its initializationOptions."
  (append dioptra-lint-server-command
          (list :initializationOptions #'dioptra-lint--initialization-options)))

(defun dioptra-lint--modes ()
  (if dioptra-lint-eglot-python
      '((mlproject-mode :language-id "yaml") (python-mode :language-id "python")
        (python-ts-mode :language-id "python"))
    '((mlproject-mode :language-id "yaml"))))

;;;###autoload
(defun dioptra-lint-register-eglot ()
  "Put `dioptra-lsp' first in `eglot-server-programs' (idempotent)."
  (setq eglot-server-programs
        (cl-remove-if (lambda (entry) (eq (cdr entry) #'dioptra-lint--contact))
                      eglot-server-programs))
  (push (cons (dioptra-lint--modes) #'dioptra-lint--contact) eglot-server-programs))

(defun dioptra-lint--configure-buffer ()
  "Answer workspace/configuration with our settings unless the user set their own."
  (unless (or (local-variable-p 'eglot-workspace-configuration)
              (and eglot-workspace-configuration
                   (not (eq eglot-workspace-configuration
                            #'dioptra-lint-workspace-configuration))))
    (setq-local eglot-workspace-configuration #'dioptra-lint-workspace-configuration)))

(add-hook 'mlproject-mode-hook #'dioptra-lint--configure-buffer)
(add-hook 'python-mode-hook #'dioptra-lint--configure-buffer)
(add-hook 'python-ts-mode-hook #'dioptra-lint--configure-buffer)   ; Emacs 29+

(dioptra-lint-register-eglot)

;;;; dry run

(defun dioptra-lint--lens-at-point (server)
  "The dry-run code lens of SERVER for the entry point at or above point."
  (let* ((lenses (jsonrpc-request server :textDocument/codeLens
                                  (list :textDocument (eglot--TextDocumentIdentifier))))
         (line (1- (line-number-at-pos)))
         best)
    (seq-doseq (lens lenses)
      (let* ((cmd (plist-get lens :command))
             (start (plist-get (plist-get (plist-get lens :range) :start) :line)))
        (when (and cmd (equal (plist-get cmd :command) "dioptra-lint.dryRun")
                   (<= start line)
                   (or (null best)
                       (> start (plist-get (plist-get (plist-get best :range) :start) :line))))
          (setq best lens))))
    (or best (and (> (length lenses) 0) (elt lenses 0)))))

;;;###autoload
(defun dioptra-lint-dry-run ()
  "Dry-run the entry point under point with `dioptra-lint.dryRun'.
This is what the \"Dry run\" code lens runs in other editors."
  (interactive)
  (let* ((server (eglot--current-server-or-lose))
         (lens (dioptra-lint--lens-at-point server))
         (cmd (and lens (plist-get lens :command))))
    (unless cmd (user-error "dioptra-lint: no dry-run lens in this buffer"))
    (let ((result (jsonrpc-request server :workspace/executeCommand
                                   (list :command (plist-get cmd :command)
                                         :arguments (or (plist-get cmd :arguments) [])))))
      (when result
        (with-current-buffer (get-buffer-create "*dioptra-lint dry run*")
          (let ((inhibit-read-only t))
            (erase-buffer)
            ;; The server answers (:entryPoint :ok :verdict :report :text).
            (insert (cond ((stringp result) result)
                          ((stringp (plist-get result :text)) (plist-get result :text))
                          (t (format "%S" result)))))
          (display-buffer (current-buffer))))
      result)))

(provide 'dioptra-lint)
;;; dioptra-lint.el ends here
