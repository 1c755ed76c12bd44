"""The DL5xx rules at their edges: severities by consequence, what is left alone, one finding
per cause.  Each case is a small project written into tmp_path and linted like `check` does."""

from __future__ import annotations

import textwrap
from pathlib import Path

from dioptra_lsp.config import forget_cached_configs
from dioptra_lsp.engine import lint_paths

PLUGIN = "dioptra_custom/p/m.py"


def lint(root: Path, files: dict[str, str]) -> list[tuple[str, str, str]]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    forget_cached_configs()
    return [(d.code, d.severity.label, d.message) for d in lint_paths([root])]


def codes(found) -> list[str]:
    return sorted(c for c, _, _ in found)


def project(mlproject_params: str, command_args: str, experiment: str, plugin: str) -> dict[str, str]:
    return {
        "MLproject": f"""\
            name: t
            entry_points:
              main:
                parameters:
            {textwrap.indent(textwrap.dedent(mlproject_params), ' ' * 6)}
                command: run-experiment exp.yml {command_args}
            """ if mlproject_params.strip() else f"""\
            name: t
            entry_points:
              main:
                command: run-experiment exp.yml {command_args}
            """,
        "exp.yml": experiment,
        PLUGIN: plugin,
    }


# --------------------------------------------------------------------------- DL508 severities


def test_a_renamed_input_only_positional_calls_pass_is_a_warning(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{size: any}]}
        graph:
          s: {t: [1]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(target_size):\n    return 1\n"))
    assert [(c, s) for c, s, _ in found] == [("DL508", "warning")]


def test_a_renamed_input_passed_by_keyword_is_an_error(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{size: any}]}
        graph:
          s: {t: {size: 1}}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(target_size):\n    return 1\n"))
    assert [(c, s) for c, s, _ in found] == [("DL508", "error")]
    assert "did you mean `target_size`" in found[0][2]


def test_a_declaration_stricter_than_the_function_is_info(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{x: any}]}
        graph:
          s: {t: [1]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(x=0):\n    return 1\n"))
    assert [(c, s) for c, s, _ in found] == [("DL508", "info")]


def test_kwargs_take_any_input_and_an_unknown_plugin_is_not_judged(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{anything: any}]}
        graph:
          s: {t: {anything: 1}}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(**kwargs):\n    return 1\n"))
    assert found == []


def test_inputs_in_another_order_passed_by_position_land_in_the_wrong_parameter(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{b: any}, {a: any}]}
        graph:
          s: {t: [1, 2]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(a, b):\n    return 1\n"))
    assert sorted((c, s) for c, s, _ in found) == [("DL508", "warning"), ("DL508", "warning")]
    assert all("lands in" in m for _, _, m in found)


def test_a_keyword_only_parameter_passed_by_position_is_an_error(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{a: any}, {b: any}]}
        graph:
          s: {t: [1, 2]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(a, *, b):\n    return 1\n"))
    assert [(c, s) for c, s, _ in found] == [("DL508", "error")]
    assert "keyword-only" in found[0][2]


# --------------------------------------------------------------------------- DL512


def test_a_tuple_typed_output_may_hold_the_tuple(tmp_path):
    found = lint(tmp_path, project("", "", """\
        types:
          shape: {tuple: [integer, integer]}
        tasks:
          t: {plugin: dioptra_custom.p.m.f, outputs: {shape: shape}}
        graph:
          s: {task: t}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f():\n    return 28, 28\n"))
    assert found == []


def test_a_list_of_outputs_over_nothing_fails_the_step(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, outputs: [{a: any}, {b: any}]}
        graph:
          s: {task: t}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f():\n    print('no return')\n"))
    assert [(c, s) for c, s, _ in found] == [("DL512", "error")]
    assert "NonIterableTaskOutputError" in found[0][2]


def test_returns_that_are_not_visible_are_left_alone(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, outputs: [{a: any}, {b: any}]}
        graph:
          s: {task: t}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(x=None):\n    return helper(x)\n"))
    assert found == []


# --------------------------------------------------------------------------- DL506


def test_an_opaque_type_takes_whatever_the_command_passes(tmp_path):
    found = lint(tmp_path, project("data_dir: {type: path, default: .}", "-P data_dir={data_dir}", """\
        types:
          path:
        parameters:
          data_dir: {type: path}
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{data_dir: path}]}
        graph:
          s: {t: [$data_dir]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(data_dir):\n    return 1\n"))
    assert found == []


def test_an_empty_mlflow_default_arrives_as_null(tmp_path):
    found = lint(tmp_path, project('tag: {type: string, default: ""}', "-P tag={tag}", """\
        parameters:
          tag: baseline
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{tag: string}]}
        graph:
          s: {t: [$tag]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(tag):\n    return 1\n"))
    assert codes(found) == ["DL506"] and "null (None)" in found[0][2]


def test_a_value_given_only_at_submission_is_not_judged(tmp_path):
    found = lint(tmp_path, project("n: {type: float}", "-P n={n}", """\
        parameters:
          n: 1
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{n: integer}]}
        graph:
          s: {t: [$n]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(n):\n    return 1\n"))
    assert found == []


def test_a_list_where_an_integer_goes(tmp_path):
    found = lint(tmp_path, project("", '-P "n=[1, 2]"', """\
        parameters:
          n: 1
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{n: integer}]}
        graph:
          s: {t: [$n]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(n):\n    return 1\n"))
    assert codes(found) == ["DL506"]


# --------------------------------------------------------------------------- one finding per cause


def test_a_required_experiment_parameter_the_mlproject_does_not_forward_is_one_finding(tmp_path):
    found = lint(tmp_path, project("seed: {type: float, default: 1}", "", """\
        parameters:
          seed: {type: integer}
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{seed: integer}]}
        graph:
          s: {t: [$seed]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(seed):\n    return 1\n"))
    assert codes(found) == ["DL504"]
    assert "-P seed={seed}" in found[0][2]


def test_a_misspelt_reference_is_one_finding_not_also_an_unused_parameter(tmp_path):
    found = lint(tmp_path, project("", "", """\
        parameters:
          epochs: 3
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{n: integer}]}
        graph:
          s: {t: [$epoch]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(n):\n    return 1\n"))
    assert codes(found) == ["DL510"]


def test_an_unknown_keyword_and_the_input_it_misses_are_one_finding(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{epochs: integer}]}
        graph:
          s: {t: {epoch: 3}}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(epochs):\n    return 1\n"))
    assert codes(found) == ["DL509"]
    assert "does not give the required input `epochs`" in found[0][2]


# --------------------------------------------------------------------------- DL501, DL503


def test_run_experiment_without_a_file(tmp_path):
    found = lint(tmp_path, {"MLproject": "name: t\nentry_points:\n  main:\n    command: run-experiment -P a=1\n"})
    assert codes(found) == ["DL501"] and "required: file" in found[0][2]


def test_a_computed_experiment_path_is_not_judged(tmp_path):
    found = lint(tmp_path, {"MLproject": "name: t\nentry_points:\n  main:\n"
                                         "    parameters: {f: {type: string, default: a.yml}}\n"
                                         "    command: run-experiment {f}\n"})
    assert found == []


def test_an_undeclared_p_name_keeps_the_default_and_says_which(tmp_path):
    found = lint(tmp_path, project("lr: {type: float, default: 0.1}", "-P learning-rate={lr}", """\
        parameters:
          learning_rate: 0.001
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{lr: number}]}
        graph:
          s: {t: [$learning_rate]}
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(lr):\n    return 1\n"))
    assert codes(found) == ["DL503"]
    assert "keeps its default 0.001" in found[0][2] and "did you mean `learning_rate`" in found[0][2]


def test_experiment_findings_respect_noqa_in_the_yaml(tmp_path):
    found = lint(tmp_path, project("", "", """\
        tasks:
          t: {plugin: dioptra_custom.p.m.f, inputs: [{n: integer}]}
        graph:
          s: {t: ["3"]}  # noqa: DL515
        """, "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(n):\n    return 1\n"))
    assert found == []
