#!/usr/bin/python3
"""Read-your-writes benchmark: a web-request-like workload through rwproxy in each consistency mode.

Each session repeats "requests": one write (UPDATE of its own counter row, value +1), then
--reads reads of that row spread over --request-ms milliseconds. A read that returns a value
below the session's last write is stale. Modes, run interleaved (order rotated each round):

  none     consistency = "none"      (reads never wait: the staleness baseline)
  window   consistency = "window"    (reads go to the master for read_after_write_window_ms)
  causal   consistency = "causal"    (reads by GTID position, MASTER_GTID_WAIT when needed)
  token    two rwproxy instances with the default consistency = "window": the write goes through
           instance 1, the reads through instance 2 on another connection that presents the
           writer's token (SET @rwproxy_consistency_token), i.e. the next HTTP request on another
           app server (the reading connection never writes, so the window plays no part)

Scenarios: replicas at their natural lag ("natural"), and both replicas 1 s behind
(MASTER_DELAY = 1, "delayed"); max_replica_lag_ms is raised to 5000 so that delayed replicas stay
eligible and the modes, not the lag gate, decide.

Reported per mode and scenario: requests, reads, share of reads served by replicas (@@server_id),
stale reads, read latency p50/p99 (client side), and CPU (utime+stime from /proc) of the master's
mariadbd and of the rwproxy process(es) per 1000 reads.

  bench/consistency_bench.py [--sessions 16] [--seconds 10] [--rounds 2] [--reads 10]
                             [--request-ms 200] [--scenarios natural,delayed]
                             [--modes none,window,causal,token]

Uses the topology of scripts/topology.sh (RWPROXY_STATE_DIR, RWPROXY_TOPOLOGY_BASE_PORT; started if
it is not up) and RWPROXY_BIN (default build/proxy/rwproxy). Needs python3-pymysql.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import pymysql

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPOLOGY = os.path.join(REPO, "scripts", "topology.sh")
STATE_DIR = os.environ.get("RWPROXY_STATE_DIR", os.path.join(REPO, ".state"))
RWPROXY_BIN = os.environ.get("RWPROXY_BIN", os.path.join(REPO, "build", "proxy", "rwproxy"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"


def topology_env():
    env = {}
    with open(os.path.join(STATE_DIR, "topology", "topology.env")) as f:
        for line in f:
            if "=" in line:
                key, value = line.strip().split("=", 1)
                env[key] = value.strip("'\"")
    return env


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def pid_listening(port):
    out = subprocess.run(["ss", "-Htlnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    match = re.search(r"pid=(\d+)", out)
    return int(match.group(1)) if match else None


class Proxy:
    started = 0  # names each instance's files

    def __init__(self, mode, work):
        Proxy.started += 1
        base = open(os.path.join(STATE_DIR, "topology", "rwproxy.toml")).read()
        base = re.sub(r"(?m)^listen_port = \d+", "listen_port = 0", base)
        routing = (f'consistency = "{mode}"\ncausal_wait_timeout_ms = 500\n'
                   "max_replica_lag_ms = 5000\nreadmit_replica_lag_ms = 4000\n")
        base = re.sub(r"(?m)^max_replica_lag_ms = .*\n|^readmit_replica_lag_ms = .*\n|^consistency = .*\n", "", base)
        base = base.replace("[routing]\n", "[routing]\n" + routing, 1) if "[routing]\n" in base else \
            base + "\n[routing]\n" + routing
        self.config = os.path.join(work, f"rwproxy-{Proxy.started}-{mode}.toml")
        self.ports_file = self.config + ".ports"
        if os.path.exists(self.ports_file):
            os.remove(self.ports_file)
        with open(self.config, "w") as f:
            f.write(base)
        self.log = open(self.config + ".log", "w")
        self.process = subprocess.Popen([RWPROXY_BIN, "--config", self.config, "--ports-file", self.ports_file],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while not os.path.exists(self.ports_file):
            if self.process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"rwproxy did not start; see {self.config}.log")
            time.sleep(0.05)
        ports = dict(line.strip().split("=") for line in open(self.ports_file) if "=" in line)
        self.port = int(ports["listen_port"])
        time.sleep(1.0)  # the monitor's first lag and position readings

    def stop(self):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def connect(port, env):
    return pymysql.connect(host=HOST, port=port, user=env.get("APP_USER", "app"),
                           password=env.get("APP_PASSWORD", "app-secret"), database=env.get("APP_DB", "rwtest"),
                           autocommit=True)


def session_loop(index, write_port, read_port, token_mode, env, args, stop_at, stats, lock):
    writer = connect(write_port, env)
    reader = connect(read_port, env) if token_mode else writer
    wcur, rcur = writer.cursor(), reader.cursor()
    row = index + 1
    wcur.execute("SELECT v FROM bench_rw WHERE id = %s", (row,))
    expected = wcur.fetchone()[0]
    latencies, reads, on_replica, stale, requests = [], 0, 0, 0, 0
    gap = args.request_ms / 1000.0 / args.reads
    while time.time() < stop_at:
        wcur.execute("UPDATE bench_rw SET v = v + 1 WHERE id = %s", (row,))
        expected += 1
        if token_mode:
            wcur.execute("SELECT rwproxy_consistency_token()")
            rcur.execute("SET @rwproxy_consistency_token = %s", (wcur.fetchone()[0],))
        requests += 1
        for _ in range(args.reads):
            started = time.perf_counter()
            rcur.execute("SELECT v, @@server_id FROM bench_rw WHERE id = %s", (row,))
            value, server = rcur.fetchone()
            latencies.append(time.perf_counter() - started)
            reads += 1
            on_replica += server != 1
            stale += value < expected
            time.sleep(gap)
    with lock:
        stats["latencies"].extend(latencies)
        stats["reads"] += reads
        stats["on_replica"] += on_replica
        stats["stale"] += stale
        stats["requests"] += requests
    writer.close()
    if token_mode:
        reader.close()


def run_mode(mode, env, args, work, master_pid):
    token_mode = mode == "token"
    proxies = [Proxy("window" if token_mode else mode, work)]
    if token_mode:
        proxies.append(Proxy("window", work))
    write_port, read_port = proxies[0].port, proxies[-1].port
    stats = {"latencies": [], "reads": 0, "on_replica": 0, "stale": 0, "requests": 0}
    lock = threading.Lock()
    cpu_master = cpu_seconds(master_pid)
    cpu_proxy = sum(cpu_seconds(p.process.pid) for p in proxies)
    stop_at = time.time() + args.seconds
    threads = [threading.Thread(target=session_loop,
                                args=(i, write_port, read_port, token_mode, env, args, stop_at, stats, lock))
               for i in range(args.sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats["cpu_master"] = cpu_seconds(master_pid) - cpu_master
    stats["cpu_proxy"] = sum(cpu_seconds(p.process.pid) for p in proxies) - cpu_proxy
    for p in proxies:
        p.stop()
    return stats


def admin(env, port, sql):
    subprocess.run(["mariadb", "--no-defaults", "--protocol=tcp", f"-h{HOST}", f"-P{port}",
                    f"-u{env.get('ADMIN_USER', 'rwadmin')}", f"-p{env.get('ADMIN_PASSWORD', 'admin-secret')}",
                    "-e", sql], check=True)


def set_delay(env, seconds):
    for port in env["REPLICA_PORTS"].split():
        admin(env, port, f"STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = {seconds}; START SLAVE")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--reads", type=int, default=10)
    parser.add_argument("--request-ms", type=int, default=200)
    parser.add_argument("--scenarios", default="natural,delayed")
    parser.add_argument("--modes", default="none,window,causal,token")
    args = parser.parse_args()

    if subprocess.run([TOPOLOGY, "status"], capture_output=True).returncode != 0:
        subprocess.run([TOPOLOGY, "up"], check=True)
    env = topology_env()
    master_port = int(env["MASTER_PORT"])
    master_pid = pid_listening(master_port)
    if not master_pid:
        raise SystemExit(f"no process listens on the master's port {master_port}")
    admin(env, master_port, f"CREATE TABLE IF NOT EXISTS {env.get('APP_DB', 'rwtest')}.bench_rw "
                            "(id INT PRIMARY KEY, v BIGINT NOT NULL)")
    admin(env, master_port, f"INSERT IGNORE INTO {env.get('APP_DB', 'rwtest')}.bench_rw "
                            f"SELECT seq, 0 FROM {env.get('APP_DB', 'rwtest')}.seq_1_to_{args.sessions}")
    subprocess.run([TOPOLOGY, "wait-replication"], check=True)
    modes = args.modes.split(",")
    results = {}
    with tempfile.TemporaryDirectory(prefix="rwproxy-consistency-bench-") as work:
        try:
            for scenario in args.scenarios.split(","):
                set_delay(env, 1 if scenario == "delayed" else 0)
                time.sleep(2 if scenario == "delayed" else 0.5)
                for round_index in range(args.rounds):
                    order = modes[round_index % len(modes):] + modes[:round_index % len(modes)]
                    for mode in order:
                        stats = run_mode(mode, env, args, work, master_pid)
                        total = results.setdefault((scenario, mode), {"latencies": [], "reads": 0, "on_replica": 0,
                                                                      "stale": 0, "requests": 0, "cpu_master": 0.0,
                                                                      "cpu_proxy": 0.0})
                        for key in total:
                            total[key] += stats[key]
                        print(f"{scenario:8} round {round_index + 1} {mode:7} reads {stats['reads']:6} "
                              f"replica {100.0 * stats['on_replica'] / max(1, stats['reads']):5.1f}% "
                              f"stale {stats['stale']}", file=sys.stderr, flush=True)
        finally:
            set_delay(env, 0)
    print("| scenario | mode | requests | reads | reads on replicas | stale reads | read p50 ms | read p99 ms "
          "| master CPU ms / 1000 reads | proxy CPU ms / 1000 reads |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (scenario, mode), total in results.items():
        lat = sorted(total["latencies"])
        p50 = statistics.median(lat) * 1000 if lat else 0
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
        per_k = 1000.0 / max(1, total["reads"])
        print(f"| {scenario} | {mode} | {total['requests']} | {total['reads']} | "
              f"{100.0 * total['on_replica'] / max(1, total['reads']):.1f}% | {total['stale']} | {p50:.2f} | "
              f"{p99:.2f} | {total['cpu_master'] * 1000 * per_k:.1f} | {total['cpu_proxy'] * 1000 * per_k:.1f} |")


if __name__ == "__main__":
    main()
