"""The task graph as Mermaid or Graphviz dot: flow parameters as inputs, tasks as nodes,
data edges solid and ``upstream_tasks`` edges dashed."""

from __future__ import annotations

import json
import re


def _node_id(key: str) -> str:
    kind, _, name = key.partition(":")
    return ("p_" if kind == "p" else "t") + re.sub(r"\W", "_", name)


def _nodes(report) -> list[tuple[str, str, str]]:
    """(id, label, kind) for every flow parameter and task."""
    nodes = []
    for f in report.flow_inputs:   # one node per Parameter name (a duplicate is a problem already)
        if any(n[0] == _node_id(f"p:{f.name}") for n in nodes):
            continue
        label = f"{f.name} = {f.value!r}" if f.known else f.name
        nodes.append((_node_id(f"p:{f.name}"), label, "parameter"))
    for t in report.plan:
        step = f"{t.step}: " if t.step is not None else ""
        nodes.append((_node_id(f"t:{t.index}"), f"{t.index}. {step}{t.target}", "task"))
    return nodes


def render(report, fmt: str) -> str:
    if fmt == "mermaid":
        return _mermaid(report)
    if fmt == "dot":
        return _dot(report)
    raise ValueError(f"unknown graph format {fmt!r} (mermaid or dot)")


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;")


def _mermaid(report) -> str:
    lines = ["flowchart LR"]
    for node, label, kind in _nodes(report):
        shape = ('[/"', '"/]') if kind == "parameter" else ('["', '"]')
        lines.append(f"  {node}{shape[0]}{_mermaid_text(label)}{shape[1]}")
    for src, dst, label in report.edges:
        arrow = "-.->" if label == "upstream" else "-->"
        lines.append(f"  {_node_id(src)} {arrow}|{_mermaid_text(label)}| {_node_id(dst)}")
    return "\n".join(lines)


def _dot(report) -> str:
    lines = ["digraph plan {", "  rankdir=LR;"]
    for node, label, kind in _nodes(report):
        shape = "parallelogram" if kind == "parameter" else "box"
        lines.append(f"  {node} [label={json.dumps(label)}, shape={shape}];")
    for src, dst, label in report.edges:
        style = ", style=dashed" if label == "upstream" else ""
        lines.append(f"  {_node_id(src)} -> {_node_id(dst)} [label={json.dumps(label)}{style}];")
    lines.append("}")
    return "\n".join(lines)
