"""The dry-run's stage 1 against MLflow itself (mlflow-skinny, imported only here, in the test).

Each case is a project written into tmp_path; MLflow's own ``load_project`` →
``get_entry_point`` → ``compute_command`` runs in this process with the working directory set
to the project folder (where Dioptra workers run), and the dry-run runs on the same inputs.
Same command byte for byte, or the same failure class (and, for missing parameters, the same
names in the same order).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# MLflow is the oracle (mlflow-skinny, a test extra): missing it is a failure, not a skip.
import mlflow.projects._project_spec as spec  # noqa: E402
from mlflow.exceptions import ExecutionException  # noqa: E402

from dioptra_lsp.dryrun import dry_run  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SHELL = "/bin/zsh"   # MLflow puts $SHELL's value into `x.sh` commands: pin it


def mlflow_outcome(folder: Path, entry_point: str, params: dict, storage: Path):
    """("ok", command) or ("fail", failure class, message) from MLflow's own resolution."""
    import yaml

    try:
        project = spec.load_project(str(folder))
    except yaml.YAMLError as err:
        return "fail", "syntax", str(err)
    except ExecutionException as err:
        return "fail", "environment", str(err)
    except (AttributeError, TypeError) as err:
        return "fail", "invalid-project", str(err)
    try:
        ep = project.get_entry_point(entry_point)
    except ExecutionException as err:
        assert "Could not find" in str(err)
        return "fail", "unknown-entry-point", str(err)
    try:
        return "ok", ep.compute_command(params, str(storage))
    except ExecutionException as err:
        msg = str(err)
        for needle, kind in (("No value given for missing parameters", "missing-parameters"),
                             ("Expected URI", "bad-uri"),
                             ("no such file or directory", "path-not-found")):
            if needle in msg:
                return "fail", kind, msg
        raise
    except ValueError as err:
        if "Invalid IPv6 URL" in str(err):   # urllib.parse on a path or uri value
            return "fail", "invalid-value", str(err)
        return "fail", "command-format", repr(err)
    except (KeyError, IndexError) as err:
        return "fail", "command-format", repr(err)
    except AttributeError as err:
        if "object has no attribute 'format'" in str(err) and "'str'" not in str(err):
            return "fail", "no-command", str(err)   # the command is null or not a string
        if "'str' object has no attribute" in str(err):   # `{x.y}` in the command
            return "fail", "command-format", str(err)
        return "fail", "invalid-value", str(err)
    except TypeError as err:
        return "fail", "invalid-value", str(err)


def dry_outcome(folder: Path, entry_point: str, params: dict):
    """("ok", command) or ("fail", failure class, message) from the dry-run's report."""
    report = dry_run(folder, entry_point, params)
    errors = [p for p in report.problems if p.severity == "error" and p.stage in ("project", "resolve")]
    if report.command is not None and not errors:
        return ("ok", report.command), report
    assert report.command is None, report.command
    return ("fail", errors[0].kind, errors[0].message), report


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        if name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def mlproject(params: str, command: str, entry: str = "main") -> str:
    """An MLproject with one entry point; ``params`` and ``command`` are YAML lines."""
    indented = "".join(f"      {line}\n" for line in params.splitlines())
    return (f"name: t\nentry_points:\n  {entry}:\n"
            + (f"    parameters:\n{indented}" if params else "")
            + command)


def cmd(text: str) -> str:
    return f"    command: {text}\n"


# (id, files, entry point, -P params)
CASES: list[tuple[str, dict[str, str], str, dict[str, str]]] = [
    ("space-default", {"MLproject": mlproject('a: {type: string, default: "x y"}', cmd('"echo {a}"'))}, "main", {}),
    ("single-quote", {"MLproject": mlproject("a: {type: string, default: \"it's\"}", cmd('"echo {a}"'))}, "main", {}),
    ("double-quote", {"MLproject": mlproject('a: string', cmd('"echo {a}"'))}, "main", {"a": 'say "hi"'}),
    ("dollar", {"MLproject": mlproject('a: string', cmd('"echo {a}"'))}, "main", {"a": "$HOME and ${PATH}"}),
    ("backtick", {"MLproject": mlproject('a: string', cmd('"echo {a}"'))}, "main", {"a": "`rm -rf /` $(id)"}),
    ("newline-value", {"MLproject": mlproject('a: string', cmd('"echo {a}"'))}, "main", {"a": "line1\nline2"}),
    ("unicode-and-empty", {"MLproject": mlproject('a: string\nb: string', cmd('"echo {a} {b}"'))}, "main", {"a": "épsilon ✓", "b": ""}),
    ("glob-and-semicolon", {"MLproject": mlproject('a: string', cmd('"echo {a}"'))}, "main", {"a": "*.txt; ls | cat &"}),
    ("folded", {"MLproject": mlproject('a: {type: float, default: 0.5}\nb: {type: string, default: q}',
                                       "    command: >\n      python src/train.py\n      --a {a}\n\n      --b {b}\n")}, "main", {}),
    ("folded-more-indented", {"MLproject": mlproject('a: {type: float, default: 0.5}',
                                                     "    command: >\n      python x.py\n        --a {a}\n      --c 1\n")}, "main", {}),
    ("literal-block", {"MLproject": mlproject('a: {type: float, default: 0.5}',
                                              "    command: |\n      python x.py \\\n        --a {a}\n")}, "main", {"a": "2"}),
    ("folded-strip-keep", {"MLproject": mlproject('a: {type: string, default: v}',
                                                  "    command: >+\n      echo {a}\n\n")}, "main", {}),
    ("extra-params", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {a}"'))}, "main",
     {"zeta": "1", "x y": "a b", "a": "given", "alpha": "q=r=s"}),
    ("script-py", {"MLproject": mlproject('', cmd("echo hi")), "x.py": ""}, "x.py", {"lr": "0.1", "n m": "o p"}),
    ("script-sh", {"MLproject": mlproject('', cmd("echo hi")), "run.sh": ""}, "run.sh", {}),
    ("merge-key-entry-point", {"MLproject": "base: &b\n  parameters: {a: {type: float, default: 1}}\n"
                               "  command: echo {a}\nentry_points:\n  main:\n    <<: *b\n"}, "main", {}),
    ("merge-key-list-first-wins", {"MLproject": "x: &x {a: {type: string, default: one}}\n"
                                   "y: &y {a: string, b: {default: two}}\nentry_points:\n  main:\n"
                                   "    parameters: {<<: [*x, *y]}\n    command: echo {a} {b}\n"}, "main", {}),
    ("merge-key-own-wins", {"MLproject": mlproject("<<: {a: {type: string, default: merged}}\n"
                                                   "a: {type: string, default: own}", cmd("echo {a}"))},
     "main", {}),
    ("merge-key-of-a-scalar", {"MLproject": mlproject("<<: 1\na: string", cmd("echo {a}"))}, "main", {"a": "x"}),
    ("script-quoted-name", {"MLproject": mlproject('', cmd("echo hi"))}, "my script's.py", {}),
    ("script-no-mlproject", {"x.py": ""}, "x.py", {"a": "1"}),
    ("script-R", {"MLproject": mlproject('', cmd("echo hi"))}, "train.R", {}),
    ("unknown-entry-point", {"MLproject": mlproject('', cmd("echo hi"))}, "train.txt", {}),
    ("unknown-main-no-mlproject", {"other.txt": ""}, "main", {}),
    ("no-entry-points-key", {"MLproject": "name: t\n"}, "main", {}),
    ("missing-two-in-order", {"MLproject": mlproject('b: string\na: {type: float}\nc: {type: float, default: 1}',
                                                     cmd('"echo {a} {b} {c}"'))}, "main", {}),
    ("default-null", {"MLproject": mlproject('a: {type: string, default: null}\nb: {type: string, default: ~}\nc: {type: string, default: }',
                                             cmd('"echo {a} {b} {c}"'))}, "main", {"b": "given"}),
    ("default-empty-string", {"MLproject": mlproject('a: {type: string, default: ""}', cmd('"echo [{a}]"'))}, "main", {}),
    ("default-None-string", {"MLproject": mlproject('a: {type: string, default: None}', cmd('"echo {a}"'))}, "main", {}),
    ("short-form-given", {"MLproject": mlproject('a: float', cmd('"echo {a}"'))}, "main", {"a": "3"}),
    ("bad-uri", {"MLproject": mlproject('u: uri', cmd('"echo {u}"'))}, "main", {"u": "relative/path"}),
    ("good-uri", {"MLproject": mlproject('u: {type: uri, default: "s3://bucket/key"}\nv: uri', cmd('"echo {u} {v}"'))}, "main", {"v": "file:///nowhere"}),
    ("bad-uri-default", {"MLproject": mlproject('u: {type: uri, default: "/abs/path"}', cmd('"echo {u}"'))}, "main", {}),
    ("path-relative", {"MLproject": mlproject('p: {type: path, default: data}', cmd('"echo {p}"')), "data/": ""}, "main", {}),
    ("path-relative-given", {"MLproject": mlproject('p: path', cmd('"echo {p}"')), "data/sub dir/f.txt": "x"}, "main", {"p": "./data/sub dir/../sub dir/f.txt"}),
    ("path-missing", {"MLproject": mlproject('p: {type: path, default: nothere}', cmd('"echo {p}"'))}, "main", {}),
    ("path-empty", {"MLproject": mlproject('p: {type: path, default: ""}', cmd('"echo {p}"'))}, "main", {}),
    ("path-file-uri-relative", {"MLproject": mlproject('p: path', cmd('"echo {p}"')), "data/": ""}, "main", {"p": "file:data"}),
    ("path-percent", {"MLproject": mlproject('p: {type: path, default: "my%20data"}', cmd('"echo {p}"')), "my data/": ""}, "main", {}),
    ("path-absolute-missing", {"MLproject": mlproject('p: {type: path, default: /definitely/not/here}', cmd('"echo {p}"'))}, "main", {}),
    ("path-int-default", {"MLproject": mlproject('p: {type: path, default: 5}', cmd('"echo {p}"'))}, "main", {}),
    ("uri-false-default", {"MLproject": mlproject('u: {type: uri, default: false}', cmd('"echo {u}"'))}, "main", {}),
    ("path-zero-default", {"MLproject": mlproject('p: {type: path, default: 0}', cmd('"echo {p}"'))}, "main", {}),
    ("uri-float-default", {"MLproject": mlproject('u: {type: uri, default: 1.5}', cmd('"echo {u}"'))}, "main", {}),
    ("yaml-floats", {"MLproject": mlproject('a: {type: float, default: 1e-3}\nb: {type: float, default: 1.0e-3}\nc: {type: float, default: .inf}\nd: {type: float, default: 1_000.5}',
                                            cmd('"echo {a} {b} {c} {d}"'))}, "main", {}),
    ("yaml-ints-bools", {"MLproject": mlproject('a: {type: string, default: 010}\nb: {type: string, default: on}\nc: {type: string, default: 0x1F}\nd: {type: string, default: 12:30}\ne: {type: string, default: no}',
                                                cmd('"echo {a} {b} {c} {d} {e}"'))}, "main", {}),
    ("yaml-date-list", {"MLproject": mlproject('a: {type: string, default: 2020-01-02}\nb: {type: string, default: [1, "x y"]}\nc: {type: string, default: {k: v}}',
                                               cmd('"echo {a} {b} {c}"'))}, "main", {}),
    ("literal-braces", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {{a}} {{{a}}} }}{{"'))}, "main", {}),
    ("undeclared-placeholder", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {a} {nope}"'))}, "main", {"nope": "given-as-extra"}),
    ("positional-placeholder", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {0}"'))}, "main", {}),
    ("empty-placeholder", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {}"'))}, "main", {}),
    ("unbalanced-brace", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {a"'))}, "main", {}),
    ("attr-placeholder", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {a.real}"'))}, "main", {}),
    ("conversion-index-spec", {"MLproject": mlproject('a: {type: string, default: "x y"}', cmd('"echo {a!r} {a[0]} {a:>9}"'))}, "main", {}),
    ("bad-format-spec", {"MLproject": mlproject('a: {type: string, default: v}', cmd('"echo {a:d}"'))}, "main", {}),
    ("dash-and-space-names", {"MLproject": mlproject('data-dir: {type: string, default: d}\n"my name": {type: string, default: n}',
                                                     cmd('"echo {data-dir} {my name}"'))}, "main", {}),
    ("no-command", {"MLproject": "name: t\nentry_points:\n  main:\n    parameters:\n      a: {type: string, default: v}\n"}, "main", {}),
    ("missing-before-no-command", {"MLproject": "name: t\nentry_points:\n  main:\n    parameters:\n      a: string\n"}, "main", {}),
    ("parameters-null", {"MLproject": "name: t\nentry_points:\n  main:\n    parameters:\n    command: echo\n"}, "main", {}),
    ("param-spec-list", {"MLproject": mlproject('a: [1, 2]', cmd("echo"))}, "main", {}),
    ("param-spec-int", {"MLproject": mlproject('a: 5', cmd("echo"))}, "main", {}),
    ("glued-flow-mapping-inner", {"MLproject": mlproject('a: {type:float, default:10}', cmd('"echo {a}"'))}, "main", {}),
    ("glued-flow-mapping-outer", {"MLproject": "name: t\nentry_points:\n  main:\n    parameters: {lr:float}\n    command: echo\n"}, "main", {}),
    ("other-entry-point-broken", {"MLproject": "name: t\nentry_points:\n  main:\n    command: echo ok\n  other: just a string\n"}, "main", {}),
    ("duplicate-parameter", {"MLproject": mlproject('a: {type: string, default: first}\nb: {type: string, default: b}\na: {type: string, default: last}',
                                                    cmd('"echo {a} {b}"'))}, "main", {"q": "1"}),
    ("duplicate-entry-point", {"MLproject": "name: t\nentry_points:\n  main:\n    command: echo one\n  main:\n    command: echo two\n"}, "main", {}),
    ("syntax-error", {"MLproject": "name: t\nentry_points:\n  main: [\n"}, "main", {}),
    ("empty-file", {"MLproject": ""}, "main", {}),
    ("root-list", {"MLproject": "- a\n- b\n"}, "main", {}),
    ("conda-env-missing", {"MLproject": "name: t\nconda_env: conda.yaml\nentry_points:\n  main:\n    command: echo\n"}, "main", {}),
    ("two-envs", {"MLproject": "name: t\nconda_env: c.yaml\npython_env: p.yaml\nentry_points:\n  main:\n    command: echo\n",
                  "c.yaml": "", "p.yaml": ""}, "main", {}),
    ("docker-no-image", {"MLproject": "name: t\ndocker_env:\n  volumes: [a]\nentry_points:\n  main:\n    command: echo\n"}, "main", {}),
    ("docker-bad-volumes", {"MLproject": "name: t\ndocker_env:\n  image: x\n  volumes: [1]\nentry_points:\n  main:\n    command: echo\n"}, "main", {}),
    ("docker-bad-environment", {"MLproject": "name: t\ndocker_env:\n  image: x\n  environment: [{a: b}]\nentry_points:\n  main:\n    command: echo\n"}, "main", {}),
    ("docker-ok", {"MLproject": "name: t\ndocker_env:\n  image: x\n  environment: [A, [B, c]]\nentry_points:\n  main:\n    command: echo ok\n"}, "main", {}),
    ("python-env-present", {"MLproject": "name: t\npython_env: p.yaml\nentry_points:\n  main:\n    command: echo ok\n", "p.yaml": ""}, "main", {}),
    ("shell-chain", {"MLproject": mlproject('a: {type: string, default: "x y"}',
                                            cmd('"PYTHONPATH=. python src/a.py --a {a} && echo done # c"'))}, "main", {}),
    ("unknown-type-and-float-text", {"MLproject": mlproject('a: {type: int, default: 3}\nb: {type: float, default: abc}\nc: {type: null, default: z}',
                                                            cmd('"echo {a} {b} {c}"'))}, "main", {}),
    ("lowercase-mlproject", {"mlproject": mlproject('a: {type: string, default: v}', cmd('"echo {a}"'))}, "main", {}),
]


@pytest.mark.parametrize("case_id,files,entry_point,params", CASES, ids=[c[0] for c in CASES])
def test_edge_case_matches_mlflow(case_id, files, entry_point, params, tmp_path, monkeypatch):
    folder = write_project(tmp_path.resolve() / "proj", files)
    (tmp_path / "storage").mkdir()
    monkeypatch.setenv("SHELL", SHELL)
    monkeypatch.chdir(folder)   # MLflow resolves relative paths against the working directory
    expected = mlflow_outcome(folder, entry_point, dict(params), tmp_path / "storage")
    monkeypatch.chdir(tmp_path)  # the dry-run must not depend on it
    got, report = dry_outcome(folder, entry_point, dict(params))
    downloads = [p for p in report.problems if p.kind == "would-download"]
    if downloads and got[0] == expected[0] == "ok":
        # MLflow put a temporary download folder where the dry-run keeps the value as given.
        value = next(p.quoted for p in report.parameters if f"`{p.name}`" in downloads[0].message)
        pattern = re.escape(got[1]).replace(re.escape(value), re.escape(str(tmp_path)) + r"/\S+")
        assert re.fullmatch(pattern, expected[1]), (expected, got)
        return
    assert got[:2] == expected[:2], (expected, got, report.problems)
    if expected[1] == "missing-parameters":
        want = re.findall(r"'([^']*)'", expected[2].split(":", 1)[1])
        assert re.findall(r"`([^`]*)`", got[2]) == want


def test_symlinked_project_folder_resolves_like_the_workers_cwd(tmp_path, monkeypatch):
    real = write_project(tmp_path.resolve() / "real", {
        "MLproject": mlproject('p: {type: path, default: data}', cmd('"echo {p}"')), "data/": ""})
    link = tmp_path.resolve() / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(link)
    expected = mlflow_outcome(link, "main", {}, tmp_path)
    got, _ = dry_outcome(link, "main", {})
    assert got == expected == ("ok", f"echo {real / 'data'}")


# Every `path` case but the empty value, which MLflow downloads wherever it is asked from.
PATH_CASES = [c for c in CASES if c[0].startswith("path-") and c[0] != "path-empty"]


@pytest.mark.parametrize("cwd_has_files", [True, False], ids=["cwd-has-files", "cwd-empty"])
@pytest.mark.parametrize("case_id,files,entry_point,params", PATH_CASES, ids=[c[0] for c in PATH_CASES])
def test_path_values_from_another_folder_match_mlflow(case_id, files, entry_point, params,
                                                       cwd_has_files, tmp_path, monkeypatch):
    """``dioptra-lint run`` hands the job to MLflow from the current folder, where MLflow's runner
    resolves relative `path` values: the dry-run asked with ``relative_paths_from`` agrees."""
    folder = write_project(tmp_path.resolve() / "proj", files)
    elsewhere = tmp_path.resolve() / "elsewhere"
    elsewhere.mkdir()
    if cwd_has_files:
        write_project(elsewhere, {k: v for k, v in files.items() if k.lower() != "mlproject"})
    monkeypatch.chdir(elsewhere)
    expected = mlflow_outcome(folder, entry_point, dict(params), tmp_path)
    monkeypatch.chdir(tmp_path)   # the folder is what is passed, not the process's
    report = dry_run(folder, entry_point, dict(params), relative_paths_from=elsewhere)
    errors = [p for p in report.problems if p.is_error]
    got = ("ok", report.command) if not errors else ("fail", errors[0].kind)
    assert got[:2] == expected[:2], (expected, got, report.problems)


def test_there_are_at_least_forty_edge_cases():
    assert len(CASES) >= 40


def _example_runs():
    """Every entry point of every MLproject under examples/, with its defaults."""
    import yaml

    out = []
    for mlp in sorted((REPO / "examples").rglob("MLproject")):
        try:
            data = yaml.safe_load(mlp.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue
        for name in (data or {}).get("entry_points", {}) if isinstance(data, dict) else ():
            out.append(pytest.param(mlp.parent, name, id=f"{mlp.parent.relative_to(REPO)}:{name}"))
    return out


def _full_params(folder: Path, entry_point: str) -> dict[str, str]:
    """Values that get past MLflow's checks: path parameters at files that exist here."""
    import yaml

    data = yaml.safe_load((folder / "MLproject").read_text(encoding="utf-8"))
    out = {}
    for name, spec in (data["entry_points"][entry_point].get("parameters") or {}).items():
        spec = spec if isinstance(spec, dict) else {"type": spec}
        if spec.get("type") == "path":
            out[name] = "MLproject" if Path(str(spec.get("default"))).suffix else "."
        elif spec.get("default") is None:
            out[name] = "value with 'quotes' and $dollar"
    return out


@pytest.mark.parametrize("values", ["defaults", "full"])
@pytest.mark.parametrize("folder,entry_point", _example_runs())
def test_example_matches_mlflow(folder, entry_point, values, tmp_path, monkeypatch):
    params = _full_params(folder, entry_point) if values == "full" else {}
    monkeypatch.setenv("SHELL", SHELL)
    monkeypatch.chdir(folder)
    expected = mlflow_outcome(folder, entry_point, dict(params), tmp_path)
    monkeypatch.chdir(tmp_path)
    got, report = dry_outcome(folder, entry_point, dict(params))
    assert got[:2] == expected[:2], (expected, got, report.problems)


def test_examples_exist():
    assert _example_runs(), "examples/ has no MLproject: the differential test would check nothing"


def test_any_values_and_extra_names_quote_like_mlflow(tmp_path_factory):
    """Arbitrary -P values and undeclared names: the same command as MLflow, byte for byte."""
    from hypothesis import given, settings, strategies as st

    folder = write_project(tmp_path_factory.mktemp("fuzz").resolve(), {"MLproject": mlproject(
        'a: {type: string, default: x}\nb: float', "    command: >\n      echo {a}\n      --b {b}\n")})
    ep = spec.load_project(str(folder)).get_entry_point("main")

    @settings(max_examples=80, deadline=None)
    @given(a=st.text(), b=st.text(), extras=st.dictionaries(st.text(min_size=1).filter(
        lambda k: k not in ("a", "b")), st.text(), max_size=3))
    def check(a, b, extras):
        params = {"a": a, "b": b, **extras}
        report = dry_run(folder, "main", params)
        assert report.command == ep.compute_command(dict(params), None)

    check()


def _would_download(spec, given) -> bool:
    """Whether MLflow would try to download this path parameter's value."""
    from urllib.parse import urlparse

    if not (spec == "path" or (isinstance(spec, dict) and spec.get("type") == "path")):
        return False
    value = given if given is not None else (spec.get("default") if isinstance(spec, dict) else None)
    if not isinstance(value, str):
        return False
    try:
        parsed = urlparse(value)
    except ValueError:
        return False
    return value == "" or (bool(parsed.scheme) and not (parsed.scheme == "file" and not parsed.netloc))


def test_random_projects_resolve_like_mlflow(tmp_path_factory):
    """Random parameter specs (types, YAML-typed defaults, missing ones), commands and -P values,
    written with yaml.safe_dump: same command or same failure class as MLflow."""
    import itertools

    import yaml
    from hypothesis import given, settings, strategies as st

    counter = itertools.count()
    base = tmp_path_factory.mktemp("random").resolve()
    locals_ = st.sampled_from([".", "data", "nowhere", "file:data", "/abs/none", "%64ata"])
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-100, 100),
                        st.floats(allow_nan=False, width=32), st.text(max_size=8), locals_,
                        st.sampled_from(["s3://b/k", "1e-3", "on", "010", "{x}", "a b"]))
    types = st.sampled_from(["string", "float", "path", "uri", "int", "str"])
    spec = st.one_of(
        types,
        st.fixed_dictionaries({"type": types}, optional={"default": scalars}),
        st.fixed_dictionaries({"type": types, "default": scalars}),
        st.fixed_dictionaries({"default": scalars}))
    names = st.sampled_from(["a", "b", "data_dir", "lr"])

    @settings(max_examples=300, deadline=None)
    @given(params=st.dictionaries(names, spec, max_size=4), given_=st.dictionaries(
        st.sampled_from(["a", "b", "data_dir", "lr", "extra"]), st.one_of(st.text(max_size=6), locals_),
        max_size=3), literal=st.text(alphabet="xyz {}-$'\"", max_size=6), use=st.lists(names, max_size=4))
    def check(params, given_, literal, use):
        if any(_would_download(s, given_.get(n)) for n, s in params.items()):
            return   # MLflow would fetch it with an artifact repository: not a dry-run matter
        folder = base / str(next(counter))
        (folder / "data").mkdir(parents=True)
        use = [n for n in use if n in params] + (["undeclared"] if literal[:1] == "x" else [])
        command = "echo " + literal + " " + " ".join(f"{{{n}}}" for n in use)
        (folder / "MLproject").write_text(yaml.safe_dump(
            {"entry_points": {"main": {"parameters": params, "command": command}}}))
        import os
        old = os.getcwd()
        os.chdir(folder)
        try:
            expected = mlflow_outcome(folder, "main", dict(given_), base)
        finally:
            os.chdir(old)
        got, report = dry_outcome(folder, "main", dict(given_))
        assert got[:2] == expected[:2], (expected, got, report.problems)

    check()


def test_random_structures_fail_like_mlflow(tmp_path_factory):
    """Random MLproject shapes (nulls, lists and strings where mappings belong): the dry-run
    refuses exactly when MLflow's loader or runner does, with the same failure class."""
    import itertools

    import yaml
    from hypothesis import given, settings, strategies as st

    counter = itertools.count()
    base = tmp_path_factory.mktemp("shapes").resolve()
    odd = st.one_of(st.none(), st.text(alphabet="ab", max_size=2), st.integers(0, 2),
                    st.lists(st.integers(0, 2), max_size=2))
    def mostly(good):   # an odd shape one time in ten
        return st.integers(0, 9).flatmap(lambda i: odd if i == 0 else good)

    spec = mostly(st.one_of(st.sampled_from(["string", "float"]), st.fixed_dictionaries(
        {}, optional={"type": st.sampled_from(["string", "uri"]), "default": odd})))
    parameters = mostly(st.dictionaries(st.sampled_from(["a", "b"]), spec, max_size=2))
    # The command is a string, or absent, null, a list, a number or a boolean (not a string:
    # MLflow's str.format fails on it).
    entry = mostly(st.fixed_dictionaries({}, optional={
        "parameters": parameters,
        "command": st.integers(0, 5).flatmap(lambda i: st.sampled_from(
            [None, ["echo"], 42, True, 1.5] if i == 0 else ["echo {a}", "echo ok", "echo {a} {b}"]))}))
    doc = mostly(st.fixed_dictionaries({"entry_points": mostly(st.dictionaries(
        st.sampled_from(["main", "other"]), entry, min_size=1, max_size=2))}, optional={"name": odd}))

    @settings(max_examples=200, deadline=None)
    @given(doc=doc, given_=st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from(
        ["x", "s3://b"]), max_size=2))
    def check(doc, given_):
        folder = base / str(next(counter))
        folder.mkdir()
        (folder / "MLproject").write_text(yaml.safe_dump(doc))
        expected = mlflow_outcome(folder, "main", dict(given_), base)
        got, report = dry_outcome(folder, "main", dict(given_))
        assert got[:2] == expected[:2], (doc, expected, got, report.problems)

    check()


def test_databricks_spark_job_projects_are_refused_exactly_like_mlflow(tmp_path_factory):
    """MLflow's load-time rules for ``databricks_spark_job`` (python_file xor entry_points, no
    `path` parameters, no environment keys): the model reports a structure problem (DL101)
    exactly when MLflow's loader refuses the project."""
    import itertools

    import yaml
    from hypothesis import given, settings, strategies as st
    from mlflow.exceptions import MlflowException

    from dioptra_lsp.model.mlproject import parse_mlproject

    counter = itertools.count()
    base = tmp_path_factory.mktemp("spark").resolve()
    job = st.fixed_dictionaries({}, optional={
        "python_file": st.sampled_from(["train.py", None]),
        "parameters": st.just(["--a", "1"]), "python_libraries": st.just(["mlflow"])})
    entry = st.fixed_dictionaries({"command": st.just("python train.py")}, optional={
        "parameters": st.dictionaries(st.sampled_from(["a", "b"]),
                                      st.sampled_from(["string", "path", "uri"]), max_size=2)})
    doc = st.fixed_dictionaries({"databricks_spark_job": job}, optional={
        "entry_points": st.dictionaries(st.sampled_from(["main", "other"]), entry, max_size=2),
        "docker_env": st.just({"image": "python:3.11"}),
        "python_env": st.just("python_env.yaml"),
        "conda_env": st.just("conda.yaml")})

    @settings(max_examples=150, deadline=None)
    @given(doc=doc)
    def check(doc):
        folder = base / str(next(counter))
        folder.mkdir()
        text = yaml.safe_dump(doc)
        (folder / "MLproject").write_text(text)
        try:
            spec.load_project(str(folder))
            refused = False
        except MlflowException:
            refused = True
        problems = [p for p in parse_mlproject(folder / "MLproject", text).problems
                    if p.kind == "structure"]
        assert bool(problems) == refused, (doc, problems)

    check()
