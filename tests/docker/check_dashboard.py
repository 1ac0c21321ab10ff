#!/usr/bin/env python3
"""Checks docker/grafana/dashboards/rwproxy.json against the metrics contract.

- the file is valid JSON, panel ids are unique;
- every PromQL expression names only metrics of the table in docs/CONTRACTS.md ("Metrics");
  the _bucket/_sum/_count series are accepted only for metrics the table calls histograms;
- the metrics the dashboard is for (lag and its threshold, eligibility, routing, latency,
  connections, errors) are all used;
- every expression parses (promtool check rules on a generated rules file), if --promtool is given;
- every panel and query uses the datasource uid that Grafana provisioning defines.

usage: check_dashboard.py --dashboard FILE --contracts docs/CONTRACTS.md
                          [--datasources PROVISIONING_YAML] [--promtool PATH]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

METRIC_NAME = re.compile(r"\brwproxy_[a-z0-9_]+")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Grafana macros are not PromQL: give them a value before promtool parses the expression.
GRAFANA_MACROS = re.compile(r"\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}")

# What the dashboard exists to show (issue 6): removing one of these panels fails the test.
REQUIRED_METRICS = {
    "rwproxy_replication_lag_seconds",
    "rwproxy_max_replica_lag_seconds",
    "rwproxy_replica_eligible",
    "rwproxy_backend_up",
    "rwproxy_routed_statements_total",
    "rwproxy_statement_duration_seconds",
    "rwproxy_client_connections",
    "rwproxy_backend_connections",
    "rwproxy_backend_errors_total",
    "rwproxy_read_retries_total",
    "rwproxy_replica_fallbacks_total",
    "rwproxy_read_after_write_redirects_total",
}


def fail(problems):
    for problem in problems:
        print(f"check_dashboard: {problem}", file=sys.stderr)
    sys.exit(1)


def contract_metrics(path):
    """name -> type, from the table of the '## Metrics' section of docs/CONTRACTS.md."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Metrics\b.*?(?=^## |\Z)", text, re.M | re.S)
    if not section:
        fail([f"{path}: no '## Metrics' section"])
    metrics = {}
    for line in section.group(0).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 2:
            continue
        names = re.findall(r"`(rwproxy_[a-z0-9_]+)`", cells[0])
        kind = cells[1].split()[0].lower() if cells[1] else ""
        for name in names:
            metrics[name] = kind
    if not metrics:
        fail([f"{path}: the Metrics section has no table of rwproxy_* names"])
    return metrics


def walk_panels(panels):
    for panel in panels or []:
        yield panel
        yield from walk_panels(panel.get("panels"))


def datasource_uid(value):
    if isinstance(value, dict):
        return value.get("uid")
    return value  # old dashboards name the datasource by a string


def provisioned_uids(path):
    try:
        import yaml
    except ImportError:
        fail(["python3 yaml module missing: apt-get install python3-yaml (scripts/install-deps.sh)"])
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    return {d.get("uid") for d in doc.get("datasources", [])}


def resolve_metric(name, contract):
    """The contract name NAME stands for, or None."""
    if name in contract:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if contract.get(base) in ("histogram", "summary"):
                return base
    return None


def check_promql_syntax(promtool, queries):
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:panel_{panel_id}_{ref_id}", "expr": GRAFANA_MACROS.sub("1m", expr)}
        for panel_id, ref_id, _, expr in queries]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".rules.json", delete=False) as f:
        json.dump(rules, f)  # JSON is YAML: promtool reads it
        rules_path = f.name
    try:
        result = subprocess.run([promtool, "check", "rules", rules_path],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        os.unlink(rules_path)
    if result.returncode != 0:
        return [f"promtool rejects a dashboard expression (rule names are dashboard:panel_<id>_<refId>):\n"
                f"{result.stdout}"]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--contracts", required=True)
    parser.add_argument("--datasources")
    parser.add_argument("--promtool")
    args = parser.parse_args()

    try:
        with open(args.dashboard, encoding="utf-8") as f:
            dashboard = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        fail([f"{args.dashboard}: not valid JSON: {e}"])

    contract = contract_metrics(args.contracts)
    problems = []
    panels = list(walk_panels(dashboard.get("panels")))
    if not panels:
        problems.append(f"{args.dashboard}: no panels")

    seen_ids = {}
    queries = []  # (panel id, refId, panel title, expr)
    for panel in panels:
        title = panel.get("title", "?")
        if panel.get("id") in seen_ids:
            problems.append(f"panel '{title}': id {panel.get('id')} also used by '{seen_ids[panel.get('id')]}'")
        seen_ids[panel.get("id")] = title
        for target in panel.get("targets", []):
            expr = target.get("expr")
            if expr is None:
                problems.append(f"panel '{title}' target {target.get('refId')}: no PromQL expr")
                continue
            queries.append((panel.get("id"), target.get("refId"), title, expr))

    used = set()
    for _, ref_id, title, expr in queries:
        for name in METRIC_NAME.findall(expr):
            resolved = resolve_metric(name, contract)
            if resolved is None:
                problems.append(
                    f"panel '{title}' query {ref_id}: metric '{name}' is not in docs/CONTRACTS.md's metrics table "
                    f"(histogram series _bucket/_sum/_count only for histograms); expr: {expr}")
            else:
                used.add(resolved)

    for name in sorted(REQUIRED_METRICS - used):
        problems.append(f"no panel uses {name}" + ("" if name in contract else " (and it left the contract)"))

    if args.datasources:
        uids = provisioned_uids(args.datasources)
        for panel in panels:
            if panel.get("type") == "row":
                continue
            owners = [("panel", panel.get("datasource"))] + [
                (f"query {t.get('refId')}", t.get("datasource")) for t in panel.get("targets", [])]
            for what, ds in owners:
                uid = datasource_uid(ds)
                if uid not in uids:
                    problems.append(f"panel '{panel.get('title')}' {what}: datasource uid {uid!r} "
                                    f"is not provisioned in {args.datasources} (uids: {sorted(uids)})")

    if args.promtool and queries:
        problems += check_promql_syntax(args.promtool, queries)

    if problems:
        fail(problems)
    unused = sorted(set(contract) - used)
    print(f"check_dashboard: {len(queries)} queries in {len(panels)} panels use {len(used)} contract metrics; OK")
    if unused:
        print(f"check_dashboard: contract metrics without a panel (fine): {', '.join(unused)}")


if __name__ == "__main__":
    main()
