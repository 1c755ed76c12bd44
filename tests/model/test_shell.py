"""The shell reader against bash itself (and python's command line against CPython itself).

Oracles: the words bash passes to a program (``printf '%s\\0'``, NUL-separated), whether bash
accepts a command (``bash -n``), and a traced run of a stub program that records its argv, with
the files its redirections create.  Nothing here states what bash does: bash says it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from dioptra_lsp.model.command import read_shell
from dioptra_lsp.model.shell import parse_shell

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is the oracle")  # CI images have it

# A distinctive HOME and variables: a word we call literal must not have been expanded.
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/home/MARK", "LC_ALL": "C.UTF-8", "X": "x  y"}
PROPERTY = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def empty_dir(tmp_path_factory) -> Path:
    """Where bash runs: no file matches a pattern, so patterns stay as written."""
    return tmp_path_factory.mktemp("empty")


def bash(args: list[str], cwd: Path | None = None, env: dict | None = None
         ) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, *args], capture_output=True, cwd=cwd, env=env or ENV,
                          stdin=subprocess.DEVNULL, timeout=20)


def bash_words(line: str, cwd: Path) -> list[bytes] | None:
    """The arguments bash gives ``printf`` for ``printf '%s\\0' LINE`` (None if it fails)."""
    run = bash(["-c", "printf '%s\\0' " + line], cwd)
    return run.stdout.split(b"\0")[:-1] if run.returncode == 0 else None


def as_bytes(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")   # how a program receives it


def check_words(line: str, cwd: Path) -> None:
    """Every word we read as literal is, byte for byte, the argument bash passes."""
    script = parse_shell("printf '%s\\0' " + line)
    got = bash_words(line, cwd)
    assert (got is not None) == (script.error is None), (line, script.error)
    if got is None:
        return
    words = script.commands[0].words[2:] if script.commands else ()
    if not words:
        assert got == [b""]   # printf with no argument prints its format once
        return
    if any(w.splits or (w.glob and "/" in w.value) for w in words):
        return   # bash may make any number of words of these: nothing to line up
    assert len(got) == len(words), (line, got, [w.value for w in words])
    for received, word in zip(got, words):
        if word.computed is None:
            assert received == as_bytes(word.value), (line, word.text)


# ------------------------------------------------------------------ words

WORD_CORPUS = [
    "plain a-b_c.d/e:f@g%h+i=j", "'single $X \\ \" `x`'", '"double $X ${X} \\" \\\\ \\$ \\` \\a"',
    "$'c \\n\\t\\\\\\'\\\"\\x41\\101\\u0041\\z\\e\\cA\\c?\\c\\\\'", "$'a\\0b'c", "$'\\400x'",
    "$'\\x4g\\x'", "$'\\777'", "$'\\303\\251'", "$'\\1234' $'\\x123'", "$'\\c'", "$'\\c\\''",
    '$"locale $X"', "a\\ b\\;c\\|d\\&e\\<f\\>g\\(h\\)i", "a\\\nb", "x#y", "'#'z", "\\#w",
    "~ ~/x x~ a=~/y a=x:~ --p=~/z '~' \\~ \"~\" ~\"root\"", "{a,b} {1..3} {a} {,} {a..} '{a,b}'",
    "${X:-{a,b}} ${x:-\"}\"}c $(echo q)", "* ? [ab] [a a] 'x*' \\*", "a\\", "$ $/ x$ \"$\"",
    "$X \"$X\" ${#X} $((1+2)) $[1] `echo q` \"`echo q`\" <(true) a>(true)b",
]


@pytest.mark.parametrize("line", WORD_CORPUS)
def test_words_are_what_bash_passes(line, empty_dir):
    check_words(line, empty_dir)


@pytest.mark.parametrize("line, computed, splits", [
    ("$X", "$X", True), ('"$X"', "$X", False), ("'$X'", None, False), ("a$(b)", "$(b)", True),
    ('"`b`"', "`b`", False), ("~/x", "~", False), ("a{b,c}", "{b,c}", True),
    ("$'\\u00e9'", "$'\\ue9' (its bytes depend on the locale)", False), ("<(b)", "<(b)", False),
])
def test_what_bash_computes_is_marked(line, computed, splits):
    (word,) = parse_shell("p " + line).commands[0].args
    assert (word.computed, word.splits) == (computed, splits)


def test_unquoted_expansions_do_split_in_bash(empty_dir):
    """The words we mark ``splits`` really do turn into several words."""
    for line in ("$X", "$(echo a b)", "a{b,c}"):
        (word,) = parse_shell("p " + line).commands[0].args
        assert word.splits and len(bash_words(line, empty_dir)) == 2


PLAIN = st.text(alphabet="abcxyz0129-_=.,:@%+^/{}~*?[]!#", min_size=1, max_size=4)
SINGLE = st.text(alphabet="ab \\\"$`\n#;|&~*{}", max_size=4).map(lambda s: f"'{s}'")
DQ_PART = st.sampled_from(["a", " ", "'", "\\\"", "\\\\", "\\$", "\\`", "\\\n", "\\a", "$ ",
                           "$/", "#", "~", "*", "{a,b}", "$X", "${X}", "$(echo q)"])
DOUBLE = st.lists(DQ_PART, max_size=4).map(lambda p: '"' + "".join(p) + '"')
LOCALE = st.lists(DQ_PART, max_size=4).map(lambda p: '$"' + "".join(p) + '"')
ANSI_PART = st.sampled_from(["a", " ", '"', "\\'", "\\\\", "\\n", "\\t", "\\x41", "\\x4", "\\x",
                             "\\101", "\\7", "\\0", "\\cA", "\\c?", "\\c\\\\", "\\c\\", "\\u0041",
                             "\\u00e9", "\\z", "\\e", "\\?", "\\\n", "$", "\\U41", "\\377"])
ANSI = st.lists(ANSI_PART, max_size=4).map(lambda p: "$'" + "".join(p) + "'")
ESCAPED = st.sampled_from(list(" ;|&<>()'\"$`#*\\~{}a\n,")).map(lambda c: "\\" + c)
WORD = st.lists(st.one_of(PLAIN, PLAIN, SINGLE, DOUBLE, ANSI, LOCALE, ESCAPED),
                min_size=1, max_size=4).map("".join)


@PROPERTY
@given(words=st.lists(WORD, min_size=1, max_size=4))
def test_generated_words_are_what_bash_passes(words, empty_dir):
    check_words(" ".join(words), empty_dir)


# ------------------------------------------------------------------ syntax

SYNTAX_CORPUS = [
    "a && b || c; d & e | f |& g", "a &&\n\nb", "a |\n b", "(a; b) > f 2>&1", "{ a; b; } < f",
    "if a; then b; elif c; then d; else e; fi", "while a; do b; done", "until a; do :; done",
    "for x in a b; do c; done", "for x\ndo a; done", "for ((i=0;i<3;i++)); do a; done",
    "select x in a; do b; done", "case x in a|b) c;; (d) ;;& *) e ;& esac", "case x in esac",
    "f() { a; }", "function g { b; }", "function h() ( c )", "! a | b", "time -p a", "! ;",
    "time", "a 2>&1 >& b &> c 3<> d 4>| e <<< f <& 0 >&- {fd}>g", "cat <<EOF\n$(x\nEOF",
    "cat <<-'E'\n\tbody 'x\n\tE\nb", "a[b c]=1 cmd", "x a[b c", "[[ a < b ]] && c", "((1+2))",
    "echo $(case x in a) b;; esac)", "echo $( )", "echo ${x:-$(a)}", "a #(\nb",
    # refused
    "a &&", "&& a", "a ;; b", "a ;& b", ";", "a & ;", "a | | b", "(a", "a)", "()", "( )",
    "a ( b )", "{ a }", "echo $(a", "echo `a", "echo ${a", "a >", "a > ;", "! &", "time &",
    "a | ! b", "if a; then b", "while a; do b", "case x in a) b", "in", "]]", "fi", "done",
    "a > 1>o", "a <<< 2>q", "echo $(;)", "echo $(a|)", "cat <(a|)", "a[b", "x 'y", 'x "y',
    "x $'y", "x $\"y", "f() a", "for x in a; b; done", "{ ; }", "a; }",
]


@pytest.mark.parametrize("line", SYNTAX_CORPUS)
def test_bash_refuses_what_we_refuse(line):
    script = parse_shell(line)
    run = bash(["-n", "-c", "--", line])
    assert (script.error is None) == (run.returncode == 0), (line, run.stderr, script.error)


TOKENS = st.sampled_from([
    "&&", "||", ";", ";;", ";&", ";;&", "|", "|&", "&", "(", ")", "\n", "\n", ">", ">>", "<",
    "<<<", ">&", "<&", "<>", ">|", "&>", "&>>", "2>", "2>&1", "<<EOF", "if", "then", "elif",
    "else", "fi", "while", "until", "do", "done", "for", "in", "case", "esac", "{", "}", "!",
    "time", "time -p", "function", "select", "# c", "x=1", "f()", "a", "b", "python", "x.py",
    "--f", "1", "'q r'", '"s"', "$x", "-p"])


@PROPERTY
@given(st.lists(st.one_of(TOKENS, TOKENS, WORD), min_size=1, max_size=10),
       st.lists(st.sampled_from([" ", "", "\t"]), min_size=10, max_size=10))
def test_generated_commands_are_refused_exactly_when_bash_refuses(pieces, gaps):
    line = "".join(p + g for p, g in zip(pieces, gaps))
    script = parse_shell(line)
    assume(not script.unmodelled)   # [[ ]] and (( )) insides are not judged
    run = bash(["-n", "-c", "--", line])
    assert (script.error is None) == (run.returncode == 0), (line, run.stderr, script.error)


# ------------------------------------------------------------------ a traced run

OUTPUT_REDIRECTS = (">", ">>", "&>", "&>>", ">|", "<>")


@pytest.fixture(scope="module")
def stub_bin(tmp_path_factory) -> Path:
    """A ``stub`` program that writes its argv, NUL-separated, to $LOGDIR/<its first arg>."""
    folder = tmp_path_factory.mktemp("bin")
    stub = folder / "stub"
    stub.write_text('#!/bin/sh\nprintf \'%s\\0\' "$@" > "$LOGDIR/$1.argv"\n')
    stub.chmod(0o755)
    return folder


def traced(line: str, stub_bin: Path, work: Path) -> tuple[dict[str, list[bytes]], set[str]]:
    """Run ``line`` with bash in an empty folder: each stub's argv, and the files created."""
    logs = work / ".logs"
    logs.mkdir()
    (work / "in.txt").write_text("input\n")
    env = {**ENV, "PATH": f"{stub_bin}:{ENV['PATH']}", "LOGDIR": str(logs)}
    bash(["-c", line + "\nwait"], work, env)
    ran = {p.name[:-5]: p.read_bytes().split(b"\0")[:-1] for p in logs.iterdir()}
    return ran, {p.name for p in work.iterdir()} - {".logs", "in.txt"}


def check_trace(line: str, stub_bin: Path, work: Path) -> None:
    script = parse_shell(line)
    assert script.error is None, (line, script.error)
    ran, files = traced(line, stub_bin, work)
    created = set()
    for r in script.redirects:
        target = r.target.value
        if r.operator in OUTPUT_REDIRECTS or (
                r.operator == ">&" and not target.isdigit() and target != "-"):
            created.add(target)
    for command in script.commands:
        words = command.words
        if any(w.splits or w.glob or w.computed for w in words):
            continue
        assert ran.get(words[1].value) == [as_bytes(w.value) for w in words[1:]], (line, words[1])
    assert files == created, line


TRACE_CORPUS = [
    "stub c0 --epochs 2 > train.log", "stub c0 a 2>&1 >>o1 | stub c1 b", "stub c0 >&o2 x",
    "A=1 B='x y' stub c0 -um pkg.train 2>o3 3<>o4", "stub c0 10>o5 x2>o6 '2'>o7 2 >o8",
    "stub c0 <in.txt a <<<'w w' b && stub c1 &>o9 c &>>o10", "stub c0 a\\\n b 2\\\n>o11",
    "stub c0 <<EOF a\nbody > not-a-file\nEOF\nstub c1 b", "stub c0 $'a\\tb' $\"c\" >|o12",
    "{ stub c0 a; stub c1 b; } > o13", "(stub c0 a) 2> o14", "stub c0 {fd}>o15 a",
    "if stub c0 a; then stub c1 b >o16; fi", "stub c0 a # stub c1 b > o17",
]


@pytest.mark.parametrize("line", TRACE_CORPUS)
def test_a_traced_run_gets_the_words_and_files_we_read(line, stub_bin, tmp_path):
    check_trace(line, stub_bin, tmp_path)


def _redirect() -> st.SearchStrategy[str]:
    fd = st.sampled_from(["", "", "1", "2", "3"])
    gap = st.sampled_from(["", " "])
    out = st.tuples(fd, st.sampled_from(OUTPUT_REDIRECTS), gap,
                    st.integers(1, 9).map(lambda n: f"o{n}")).map("".join)
    dup = st.sampled_from(["2>&1", "1>&2", ">&2", "3>&1"])
    read = st.tuples(st.sampled_from(["<", "0<"]), gap).map(lambda t: "".join(t) + "in.txt")
    here = st.tuples(gap, st.sampled_from(["w", "'a b'", "1"])).map(lambda t: "<<<" + "".join(t))
    return st.one_of(out, out, dup, read, here)


@st.composite
def traced_lines(draw) -> str:
    parts = []
    for k in range(draw(st.integers(1, 3))):
        args = [w for w in draw(st.lists(WORD, max_size=3)) if not w.startswith("#")]
        items = ["stub", f"c{k}", *args]
        for r in draw(st.lists(_redirect(), max_size=3)):
            items.insert(draw(st.integers(2, len(items))), r)
        if draw(st.booleans()):
            items.insert(0, draw(st.sampled_from(["A=1", "B='x y'", "C=$'q'"])))
        parts.append(" ".join(items))
    line = parts[0]
    for part in parts[1:]:
        line += draw(st.sampled_from(["; ", " && ", "\n", " | ", " |& ", " & "])) + part
    return line


@settings(PROPERTY, max_examples=40)   # each example runs bash and several stubs
@given(line=traced_lines())
def test_generated_commands_run_the_words_and_redirections_we_read(stub_bin, line):
    import tempfile

    assume(parse_shell(line).error is None)
    with tempfile.TemporaryDirectory() as work:
        check_trace(line, stub_bin, Path(work))


# ------------------------------------------------------------------ python's command line


@pytest.fixture(scope="module")
def python_project(tmp_path_factory) -> Path:
    """A script and a module that print what python ran and with which arguments."""
    folder = tmp_path_factory.mktemp("py")
    body = "import json, sys\nprint(json.dumps(['RAN', __spec__.name if __spec__ else " \
           "sys.argv[0], sys.argv[1:]]))\n"
    (folder / "x.py").write_text(body)
    (folder / "-y.py").write_text(body)
    (folder / "pkg").mkdir()
    (folder / "pkg" / "__init__.py").write_text("")
    (folder / "pkg" / "train.py").write_text(body)
    return folder


PYTHON_LINES = [
    "python x.py --a 1", "python -u x.py -u", "python -um pkg.train --epochs 2",
    "python -mpkg.train a", "python -m pkg.train -m x", "python -W ignore x.py", "python -Wignore x.py",
    "python -X utf8 x.py", "python -Xdev x.py b", "python -OO -bb -Es x.py", "python -B -E x.py",
    "python -I x.py", "python -- -y.py q", "python -q -- x.py", "python -c 'pass' x.py",
    "python -uc 'pass' a", "python --check-hash-based-pycs always x.py",
    "python --check-hash-based-pycs bad x.py", "python -V x.py", "python --version x.py",
    "python -h x.py", "python -z x.py", "python -J x.py", "python --nope x.py", "python -m",
    "python -W", "python - x.py", "python -t x.py", "python -P -R -d x.py",
]


@pytest.mark.parametrize("line", PYTHON_LINES)
def test_python_runs_what_we_read(line, python_project):
    """CPython itself is the oracle: the script or module it runs, and its arguments."""
    (inv,) = read_shell(line, None)[1] or (None,)
    env = {**ENV, "PATH": f"{Path(sys.executable).parent}:{ENV['PATH']}"}
    run = bash(["-c", line], python_project, env)
    ran = next((json.loads(text) for text in run.stdout.decode().splitlines()
                if text.startswith('["RAN"')), None)
    if inv is None or inv.script is None:
        assert ran is None, (line, ran)
        if inv is not None and inv.refused is not None:   # python stops before any script
            assert ("stops" in inv.refused) == (run.returncode != 0), (line, run.stderr)
        return
    assert ran is not None, (line, run.stderr)
    assert (ran[1], ran[2]) == (inv.script, [w.value for w in inv.args]), line


# ------------------------------------------------------------------ DL111 and DL112


def test_check_refuses_a_command_exactly_when_bash_does(tmp_path):
    """One MLproject, an entry point per line (each a template that ``str.format`` turns back
    into the line): DL111 or DL112 fires, once, exactly where ``bash -n`` refuses."""
    import yaml

    from dioptra_lsp.engine import lint_paths

    lines = SYNTAX_CORPUS + ["printf '%s' " + w for w in WORD_CORPUS]
    template = {f"e{i}": {"command": line.replace("{", "{{").replace("}", "}}")}
                for i, line in enumerate(lines)}
    (tmp_path / "MLproject").write_text(yaml.safe_dump({"entry_points": template}, width=1 << 20))
    loaded = yaml.safe_load((tmp_path / "MLproject").read_text())["entry_points"]
    assert [loaded[f"e{i}"]["command"].format() for i in range(len(lines))] == lines
    text = (tmp_path / "MLproject").read_text().split("\n")
    starts = {k: int(line.strip()[1:-1]) for k, line in enumerate(text) if line.startswith("  e")}
    found: dict[int, list[str]] = {}
    for d in lint_paths([tmp_path]):
        if d.code in ("DL111", "DL112"):
            entry = starts[max(k for k in starts if k <= d.span.start.line)]
            found.setdefault(entry, []).append(d.code)
    for i, line in enumerate(lines):
        refused = bash(["-n", "-c", "--", line]).returncode != 0
        assert len(found.get(i, ())) == refused, (line, found.get(i))
