#!/usr/bin/env python3
"""Draws the main panels of rwproxy's dashboard from a Prometheus server into a PNG.

    docs/render_dashboard.py --prometheus http://127.0.0.1:9090 --start UNIX --end UNIX \
        [--step 1] [--rate-window 5s] [--mark FROM TO LABEL]... --out docs/dashboard.png

The panels use the queries of docker/grafana/dashboards/rwproxy.json (with a short rate window,
for a run of a minute or two): replication lag per replica with the configured threshold,
routing by reason, statement latency p50/p99 by target, connections. docs/dashboard.png is made
by `RWPROXY_RENDER_DASHBOARD=1 tests/metrics/prometheus_scrape_test.sh <rwproxy>`, which runs
traffic with injected replica lag and calls this script. Needs matplotlib (python3-matplotlib);
everything else is the standard library.
"""

import argparse
import datetime
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.ticker import MaxNLocator  # noqa: E402

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf"]


def query_range(base_url, expr, start, end, step):
    """[(labels, [(t, value), ...]), ...] for a PromQL range query; NaN/Inf samples are dropped."""
    params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
    url = f"{base_url.rstrip('/')}/api/v1/query_range?{params}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"render_dashboard: {expr}: HTTP {e.code}: {e.read()[:300]!r}")
    except (urllib.error.URLError, OSError) as e:
        raise SystemExit(f"render_dashboard: cannot reach {base_url}: {e}")
    if answer.get("status") != "success":
        raise SystemExit(f"render_dashboard: {expr}: {answer.get('errorType')}: {answer.get('error')}")
    series = []
    for result in answer["data"]["result"]:
        points = []
        for t, v in result["values"]:
            value = float(v)
            if value == value and abs(value) != float("inf"):
                points.append((float(t), value))
        series.append((result["metric"], points))
    return series


def plot_series(ax, series, start, label, color, **style):
    if not series:
        return
    xs = [t - start for t, _ in series]
    ys = [v for _, v in series]
    ax.plot(xs, ys, label=label, color=color, **style)


def spans_where(points, predicate):
    """Contiguous (from, to) time spans of points whose value satisfies predicate."""
    spans, begin, last = [], None, None
    for t, v in points:
        if predicate(v):
            if begin is None:
                begin = t
            last = t
        elif begin is not None:
            spans.append((begin, last))
            begin = None
    if begin is not None:
        spans.append((begin, last))
    return spans


def style_axes(ax, title, ylabel, duration):
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, duration)
    ax.set_xlabel("seconds since the start of the run")
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def mark_spans(ax, marks, start, with_label):
    """Dashed lines at each mark's ends, the label (on the panel that asks for it) between them."""
    for begin, end, label in marks:
        for t in (begin, end):
            ax.axvline(t - start, color="#888888", linestyle=(0, (4, 3)), linewidth=1.0)
        if with_label:
            ax.annotate(label, xy=((begin + end) / 2 - start, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, -12), textcoords="offset points", fontsize=8, color="#555555",
                        ha="center")


def lag_panel(ax, q, start, marks):
    lag = sorted(q("rwproxy_replication_lag_seconds"), key=lambda s: s[0].get("backend", ""))
    eligible = {m.get("backend"): pts for m, pts in q("rwproxy_replica_eligible")}
    threshold = q("max(rwproxy_max_replica_lag_seconds)")
    mark_spans(ax, marks, start, with_label=True)
    for i, (labels, points) in enumerate(lag):
        backend = labels.get("backend", "?")
        color = COLORS[i % len(COLORS)]
        plot_series(ax, points, start, backend, color, linewidth=1.8)
        for j, (begin, end) in enumerate(spans_where(eligible.get(backend, []), lambda v: v == 0)):
            ax.axvspan(begin - start, end - start, color=color, alpha=0.15, linewidth=0,
                       label=f"{backend} not eligible for reads" if j == 0 else None)
    for _, points in threshold:
        plot_series(ax, points, start, "max_replica_lag (threshold)", "#d62728",
                    linestyle="--", linewidth=1.5)
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1) * 1.2)  # room for the marks' labels


def routing_panel(ax, q, start, window):
    series = q(f"sum by (reason) (rate(rwproxy_routed_statements_total[{window}]))")
    # Reasons that never occurred in the run would only crowd the legend.
    series = [(m, pts) for m, pts in series if any(v > 0 for _, v in pts)]
    totals = {m.get("reason", "?"): sum(v for _, v in pts) for m, pts in series}
    series.sort(key=lambda s: -totals[s[0].get("reason", "?")])
    for i, (labels, points) in enumerate(series):
        plot_series(ax, points, start, labels.get("reason", "?"), COLORS[i % len(COLORS)],
                    linewidth=1.6)
    ax.set_ylim(bottom=0)


def latency_panel(ax, q, start, window):
    targets = {}
    for quantile, style in ((0.5, "-"), (0.99, "--")):
        expr = (f"histogram_quantile({quantile}, sum by (le, target) "
                f"(rate(rwproxy_statement_duration_seconds_bucket[{window}])))")
        for labels, points in q(expr):
            target = labels.get("target", "?")
            color = targets.setdefault(target, COLORS[len(targets) % len(COLORS)])
            ms = [(t, v * 1000) for t, v in points]
            plot_series(ax, ms, start, f"{target} p{int(quantile * 100)}", color, linestyle=style,
                        linewidth=1.6)
    ax.set_yscale("log")


def connections_panel(ax, q, start):
    # Equal series would hide each other: each one drawn later is thinner than the one before.
    for _, points in q("sum(rwproxy_client_connections)"):
        plot_series(ax, points, start, "clients", "#1f77b4", linewidth=5.0, alpha=0.45)
    backends = sorted(q('sum by (backend) (rwproxy_backend_connections{state="open"})'),
                      key=lambda s: s[0].get("backend", ""))
    for i, (labels, points) in enumerate(backends):
        plot_series(ax, points, start, f"backend connections to {labels.get('backend', '?')} (open)",
                    COLORS[(i + 1) % len(COLORS)], linewidth=max(3.2 - 1.0 * i, 1.0),
                    linestyle="-" if i == 0 else (0, (5, 2)))
    ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], 1) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--start", type=float, required=True, help="unix seconds")
    parser.add_argument("--end", type=float, required=True, help="unix seconds")
    parser.add_argument("--step", type=float, default=1.0, help="seconds between points (1)")
    parser.add_argument("--rate-window", default="5s", help="range of rate() (5s)")
    parser.add_argument("--mark", nargs=3, action="append", default=[],
                        metavar=("FROM", "TO", "LABEL"), help="shade and label a span (unix seconds)")
    parser.add_argument("--title", default="rwproxy: MariaDB master + replicas, real test run")
    parser.add_argument("--out", required=True, help="PNG to write")
    args = parser.parse_args()
    if args.end <= args.start:
        parser.error("--end must be after --start")

    def q(expr):
        return query_range(args.prometheus, expr, args.start, args.end, args.step)

    marks = [(float(a), float(b), label) for a, b, label in args.mark]
    duration = args.end - args.start
    plt.rcParams.update({"font.size": 9, "legend.fontsize": 8, "figure.dpi": 100})
    fig, axes = plt.subplots(2, 2, figsize=(14, 8.4))
    (lag_ax, routing_ax), (latency_ax, conn_ax) = axes

    for ax in axes.flat:
        if ax is not lag_ax:
            mark_spans(ax, marks, args.start, with_label=False)
    lag_panel(lag_ax, q, args.start, marks)
    style_axes(lag_ax, "Replication lag per replica", "seconds", duration)
    routing_panel(routing_ax, q, args.start, args.rate_window)
    style_axes(routing_ax, f"Routing by reason (rate over {args.rate_window})", "statements / s",
               duration)
    latency_panel(latency_ax, q, args.start, args.rate_window)
    style_axes(latency_ax, f"Statement latency p50 / p99 by target (over {args.rate_window})",
               "milliseconds (log)", duration)
    connections_panel(conn_ax, q, args.start)
    style_axes(conn_ax, "Connections", "connections", duration)
    for ax in axes.flat:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", framealpha=0.9)
        else:
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", color="#999999")

    when = datetime.datetime.fromtimestamp(args.start, datetime.timezone.utc)
    fig.suptitle(args.title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    fig.text(0.01, 0.005,
             f"Rendered by docs/render_dashboard.py from Prometheus query_range ({args.step:g} s step), "
             f"run of {when:%Y-%m-%d %H:%M} UTC, {duration:.0f} s. Queries as in "
             f"docker/grafana/dashboards/rwproxy.json, with rate() over {args.rate_window}.", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    fig.savefig(args.out)
    print(f"render_dashboard: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
