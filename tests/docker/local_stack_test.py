#!/usr/bin/env python3
"""Runs the compose stack's MariaDB servers, and optionally rwproxy, locally (no Docker engine).

For each mariadb service of docker/compose.yaml (master, replica1, replica2) this starts a
mariadbd from the Debian package (MariaDB 10.11, as the mariadb:10.11 image) with the
service's own option file (the one mounted in /etc/mysql/conf.d) and command line, on a fresh
datadir made the way the image's entrypoint makes it (mariadb-install-db --skip-log-bin), and
runs the service's /docker-entrypoint-initdb.d/*.sql files. The replicas' MASTER_HOST='master',
MASTER_PORT=3306 are replaced by this test's master.

Without --rwproxy it checks what rwproxy and the tests rely on:
  - the replicas replicate with GTID (Using_Gtid = Slave_Pos), both threads running, in
    gtid_strict_mode, and catch up with a write made on the master;
  - read_only is OFF on the master and ON on the replicas; the app account's write on a replica
    fails with 1290 (no global privileges);
  - app/app-secret, rwadmin/admin-secret, rwmonitor/monitor-secret log in over TCP on every
    server (they reach the replicas by replication); rwmonitor can run SHOW ALL SLAVES STATUS
    and write heartbeats in rwproxy.* (the monitor's heartbeat_table), which replicate;
    rwadmin can stop and start replication.

With --rwproxy BIN --dashboard FILE it runs BIN with the rwproxy service's config
(docker/rwproxy.toml, its backend hosts and listen addresses/ports pointed at this test's
servers), sends reads and writes through it as the app user while a session is open, scrapes
/metrics and checks that every series the dashboard queries is exported, the three backends are
up, the replicas eligible, and rwproxy_max_replica_lag_seconds is routing.max_replica_lag_ms.

usage: local_stack_test.py --compose docker/compose.yaml [--work-dir DIR]
                           [--rwproxy BIN --dashboard docker/grafana/dashboards/rwproxy.json]
"""
import argparse
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request

try:
    import yaml
except ImportError:
    print("local_stack_test: python3 yaml module missing: apt-get install python3-yaml "
          "(listed in scripts/install-deps.sh)", file=sys.stderr)
    sys.exit(1)

START_TIMEOUT_S = 60
REPLICATION_TIMEOUT_S = 60
ACCOUNTS = {"app": "app-secret", "rwadmin": "admin-secret", "rwmonitor": "monitor-secret"}


class Failure(Exception):
    pass


def log(text):
    print(f"local_stack_test: {text}", flush=True)


# MariaDB can't be told to bind port 0, so its servers get ports from a range of this test's own
# below Linux's ephemeral range (32768-60999): there no client socket can take a port between the
# check and the bind, and no other test of the suite uses these. rwproxy binds port 0 instead.
SERVER_PORTS = range(27300, 27400)


def unused_server_port(taken):
    for port in SERVER_PORTS:
        if port in taken:
            continue
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                taken.add(port)
                return port
    raise Failure(f"no unused port in {SERVER_PORTS.start}-{SERVER_PORTS.stop - 1} for a MariaDB server")


def read_ports_file(path):
    """{key: port} of rwproxy's --ports-file, or None while it does not exist."""
    try:
        with open(path, encoding="utf-8") as f:
            return {k: int(v) for k, v in (line.strip().split("=", 1) for line in f if line.strip())}
    except FileNotFoundError:
        return None


def run(args, stdin=None, check=True):
    result = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and result.returncode != 0:
        raise Failure(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


class Server:
    def __init__(self, name, service, compose_dir, work, taken_ports):
        self.name = name
        self.args = service.get("command", [])
        if isinstance(self.args, str):
            self.args = self.args.split()
        self.cnf = self.init_dir = None
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            path = os.path.normpath(os.path.join(compose_dir, source))
            if target.startswith("/etc/mysql/conf.d/"):
                self.cnf = path
            elif target == "/docker-entrypoint-initdb.d":
                self.init_dir = path
        if not self.cnf or not self.init_dir:
            raise Failure(f"service {name}: needs an option file in /etc/mysql/conf.d and /docker-entrypoint-initdb.d")
        self.dir = os.path.join(work, name)
        self.port = unused_server_port(taken_ports)
        self.socket = os.path.join(work, f"{name}.sock")
        self.process = None

    def start(self, template):
        shutil.copytree(template, os.path.join(self.dir, "data"), symlinks=True)
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        args = ["mariadbd", f"--defaults-file={self.cnf}", f"--datadir={self.dir}/data", f"--tmpdir={self.dir}/tmp",
                f"--port={self.port}",
                "--bind-address=127.0.0.1", f"--socket={self.socket}", f"--pid-file={self.dir}/mariadbd.pid",
                f"--log-error={self.dir}/error.log"]
        if os.geteuid() == 0:
            args.append("--user=root")
        args += self.args
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while run(self.root_client() + ["-e", "SELECT 1"], check=False).returncode != 0:
            if self.process.poll() is not None:
                raise Failure(f"{self.name} exited during startup:\n{self.error_log()}")
            if time.monotonic() > deadline:
                raise Failure(f"{self.name} did not start in {START_TIMEOUT_S}s:\n{self.error_log()}")
            time.sleep(0.1)

    def error_log(self):
        try:
            with open(os.path.join(self.dir, "error.log"), encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return "(no error log)"

    def root_client(self):
        return ["mariadb", "--no-defaults", "--protocol=socket", f"--socket={self.socket}", "-uroot",
                "--batch", "--skip-column-names", "--connect-timeout=5"]

    def root_sql(self, statement):
        return run(self.root_client() + ["-e", statement]).stdout.strip()

    def tcp(self, user, statement, check=True):
        """Runs STATEMENT as USER over TCP (as rwproxy and its monitor connect)."""
        return run(["mariadb", "--no-defaults", "--protocol=tcp", "-h127.0.0.1", f"-P{self.port}", f"-u{user}",
                    f"-p{ACCOUNTS[user]}", "--batch", "--skip-column-names", "--connect-timeout=5",
                    "-e", statement], check=check)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def init_sql(server, master_port):
    files = sorted(glob.glob(os.path.join(server.init_dir, "*.sql")))
    if not files:
        raise Failure(f"{server.name}: no *.sql in {server.init_dir}")
    for path in files:
        with open(path, encoding="utf-8") as f:
            sql = f.read()
        if server.name != "master":
            sql, hosts = re.subn(r"MASTER_HOST\s*=\s*'master'", "MASTER_HOST='127.0.0.1'", sql)
            sql, ports = re.subn(r"MASTER_PORT\s*=\s*3306\b", f"MASTER_PORT={master_port}", sql)
            if (hosts, ports) not in ((0, 0), (1, 1)):
                raise Failure(f"{path}: expected one MASTER_HOST='master' and one MASTER_PORT=3306")
        log(f"{server.name}: running {os.path.relpath(path)}")
        run(server.root_client(), stdin=sql)


def slave_status(server):
    client = [a for a in server.root_client() if a != "--skip-column-names"]
    out = run(client + ["--vertical", "-e", "SHOW ALL SLAVES STATUS"]).stdout
    return dict(re.findall(r"^\s*(\w+): ?(.*)$", out, re.M))


def check(condition, text):
    if not condition:
        raise Failure(text)


def wait_replicated(master, replicas):
    target = master.root_sql("SELECT @@global.gtid_binlog_pos")
    for replica in replicas:
        result = replica.root_sql(f"SELECT MASTER_GTID_WAIT('{target}', {REPLICATION_TIMEOUT_S})")
        if result != "0":
            status = slave_status(replica)
            raise Failure(f"{replica.name} did not reach the master's GTID {target}: "
                          f"io={status.get('Slave_IO_Running')} sql={status.get('Slave_SQL_Running')} "
                          f"last_io_error={status.get('Last_IO_Error')!r} last_sql_error={status.get('Last_SQL_Error')!r}")


def verify(master, replicas):
    servers = [master] + replicas
    # The app writes on the master; every replica catches up.
    master.tcp("app", "CREATE TABLE rwtest.docker_check (id INT PRIMARY KEY, v VARCHAR(10)); "
                      "INSERT INTO rwtest.docker_check VALUES (1, 'one')")
    wait_replicated(master, replicas)

    for server in servers:
        for user in ACCOUNTS:
            result = server.tcp(user, "SELECT CURRENT_USER()", check=False)
            check(result.returncode == 0, f"{server.name}: {user} cannot log in over TCP: {result.stderr.strip()}")
        read_only = server.root_sql("SELECT @@global.read_only")
        check(read_only == ("0" if server is master else "1"), f"{server.name}: read_only = {read_only}")
        check(server.root_sql("SELECT @@global.gtid_strict_mode") == "1", f"{server.name}: gtid_strict_mode is off")
        grants = server.root_sql("SHOW GRANTS FOR 'app'@'%'")
        check(grants.splitlines()[0].startswith("GRANT USAGE ON *.*"),
              f"{server.name}: app has global privileges:\n{grants}")

    for replica in replicas:
        status = slave_status(replica)
        check(status.get("Using_Gtid") == "Slave_Pos", f"{replica.name}: Using_Gtid = {status.get('Using_Gtid')}")
        check(status.get("Slave_IO_Running") == "Yes" and status.get("Slave_SQL_Running") == "Yes",
              f"{replica.name}: replication threads not running: {status}")
        rows = replica.tcp("app", "SELECT v FROM rwtest.docker_check WHERE id = 1").stdout.strip()
        check(rows == "one", f"{replica.name}: the master's row did not replicate (got {rows!r})")
        write = replica.tcp("app", "INSERT INTO rwtest.docker_check VALUES (2, 'two')", check=False)
        check(write.returncode != 0 and "1290" in write.stderr,
              f"{replica.name}: the app's write on a read_only replica did not fail with 1290: "
              f"{write.returncode} {write.stderr.strip()}")
        monitor = replica.tcp("rwmonitor", "SHOW ALL SLAVES STATUS", check=False)
        check(monitor.returncode == 0, f"{replica.name}: rwmonitor cannot SHOW ALL SLAVES STATUS: {monitor.stderr.strip()}")

    # The monitor's heartbeats (heartbeat_table = rwproxy.heartbeat): schema and table created on
    # the master by rwmonitor itself, written every interval, read back on the replicas.
    master.tcp("rwmonitor", "CREATE DATABASE IF NOT EXISTS rwproxy; "
                            "CREATE TABLE IF NOT EXISTS rwproxy.heartbeat (id INT PRIMARY KEY, ts BIGINT); "
                            "INSERT INTO rwproxy.heartbeat VALUES (1, 1) ON DUPLICATE KEY UPDATE ts = 1; "
                            "UPDATE rwproxy.heartbeat SET ts = 2 WHERE id = 1")
    wait_replicated(master, replicas)
    for replica in replicas:
        ts = replica.tcp("rwmonitor", "SELECT ts FROM rwproxy.heartbeat WHERE id = 1").stdout.strip()
        check(ts == "2", f"{replica.name}: heartbeat did not replicate (got {ts!r})")

    # rwadmin administers replication (tests use it for STOP SLAVE, MASTER_DELAY, ...).
    replica = replicas[0]
    replica.tcp("rwadmin", "STOP SLAVE; START SLAVE")
    master.tcp("app", "INSERT INTO rwtest.docker_check VALUES (3, 'three')")
    wait_replicated(master, replicas)


# ---------------------------------------------------------------------------------------------
# rwproxy with the stack's config, and its metrics

METRICS_TIMEOUT_S = 20
METRIC_NAME = re.compile(r"\brwproxy_[a-z0-9_]+")


def local_proxy_config(config_path, servers, work):
    """The rwproxy service's config with backends, listen addresses and ports made local."""
    with open(config_path, encoding="utf-8") as f:
        text = f.read()
    with open(config_path, "rb") as f:
        config = tomllib.load(f)
    ports = {server.name: server.port for server in servers}
    for backend in config["backends"]:
        # host = "<service>"  [# comment]  \n  port = 3306
        text, n = re.subn(r'^host = "%s"[^\n]*\nport = %d\b' % (re.escape(backend["host"]), backend["port"]),
                          f'host = "127.0.0.1"\nport = {ports[backend["host"]]}', text, flags=re.M)
        check(n == 1, f"{config_path}: expected host = \"{backend['host']}\" then port = {backend['port']}")
    for section in ("proxy", "metrics"):  # port 0: rwproxy reports the ports it got in --ports-file
        old = config[section]
        text, n = re.subn(r'^listen_address = "%s"' % re.escape(old["listen_address"]),
                          'listen_address = "127.0.0.1"', text, count=1, flags=re.M)
        text, m = re.subn(r"^listen_port = %d\b" % old["listen_port"], "listen_port = 0", text, count=1,
                          flags=re.M)
        check(n == m == 1, f"{config_path}: [{section}] listen_address / listen_port not found")
    local = tomllib.loads(text)
    check(all(b["host"] == "127.0.0.1" for b in local["backends"]) and local["proxy"]["listen_port"] == 0
          and local["metrics"]["listen_port"] == 0, "rewriting the proxy config went wrong")
    path = os.path.join(work, "rwproxy.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path, local


def dashboard_series(path):
    """Every metric name the dashboard's queries name, as written (histograms as _bucket, ...)."""
    import json
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    names = set()

    def walk(panels):
        for panel in panels or []:
            for target in panel.get("targets", []):
                names.update(METRIC_NAME.findall(target.get("expr", "")))
            walk(panel.get("panels"))
    walk(dashboard.get("panels"))
    return names


def parse_metrics(text):
    """[(name, {label: value}, value)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)", line)
        if match and not line.startswith("#"):
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
            samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def check_proxy_metrics(args, service, compose_dir, work, servers):
    config_path = mount_for(service, compose_dir, "/etc/rwproxy/rwproxy.toml")
    check(config_path, "service rwproxy: no config mounted at /etc/rwproxy/rwproxy.toml")
    path, config = local_proxy_config(config_path, servers, work)
    want = dashboard_series(args.dashboard)
    check(want, f"{args.dashboard}: no rwproxy_* series in its queries")
    log_path = os.path.join(work, "rwproxy.log")
    ports_path = os.path.join(work, "rwproxy.ports")
    with open(log_path, "w") as log_file:
        proxy = subprocess.Popen([args.rwproxy, "--config", path, "--ports-file", ports_path],
                                 stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
                                 start_new_session=True)
    session = None
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (ports := read_ports_file(ports_path)) is None:
            check(proxy.poll() is None, f"rwproxy exited ({proxy.returncode}):\n{tail(log_path)}")
            check(time.monotonic() < deadline, f"rwproxy did not write {ports_path} in {START_TIMEOUT_S}s:\n{tail(log_path)}")
            time.sleep(0.1)
        proxy_port = ports["listen_port"]
        check("metrics_port" in ports, f"test setup: rwproxy could not serve metrics:\n{tail(log_path)}")
        metrics_port = ports["metrics_port"]
        client = ["mariadb", "--no-defaults", "--protocol=tcp", "-h127.0.0.1", f"-P{proxy_port}", "-uapp",
                  "-papp-secret", "--batch", "--skip-column-names", "--connect-timeout=5", "rwtest"]
        deadline = time.monotonic() + START_TIMEOUT_S
        while run(client + ["-e", "SELECT 1"], check=False).returncode != 0:
            check(proxy.poll() is None, f"rwproxy exited ({proxy.returncode}):\n{tail(log_path)}")
            check(time.monotonic() < deadline, f"rwproxy did not accept clients in {START_TIMEOUT_S}s:\n{tail(log_path)}")
            time.sleep(0.2)
        run(client + ["-e", "CREATE TABLE stack_check (id INT PRIMARY KEY); INSERT INTO stack_check VALUES (1); "
                            "SELECT * FROM stack_check"])
        for _ in range(5):
            run(client + ["-e", "SELECT COUNT(*) FROM stack_check; SELECT 1"])
        run(client[:-1] + ["-pwrong-password", "-e", "SELECT 1"], check=False)  # an auth failure
        # A session that stays open across the scrapes (client and backend connections).
        session = subprocess.Popen(client + ["-e", f"SELECT SLEEP({METRICS_TIMEOUT_S})"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)

        url = f"http://127.0.0.1:{metrics_port}/metrics"
        deadline = time.monotonic() + METRICS_TIMEOUT_S
        scrape_error = None
        while True:
            try:
                samples = parse_metrics(urllib.request.urlopen(url, timeout=5).read().decode())
            except OSError as e:
                samples, scrape_error = [], e
            exported = {name for name, _, _ in samples}
            missing = sorted(want - exported)
            up = {l.get("backend"): v for n, l, v in samples if n == "rwproxy_backend_up"}
            eligible = {l.get("backend"): v for n, l, v in samples if n == "rwproxy_replica_eligible"}
            problems = []
            if not samples:
                problems.append(f"no metrics at {url}: {scrape_error}")
            if missing:
                problems.append("series the dashboard queries are not exported: " + ", ".join(missing))
            names = [b["name"] for b in config["backends"]]
            if samples and any(up.get(name) != 1 for name in names):
                problems.append(f"rwproxy_backend_up is not 1 for every backend: {up}")
            replicas = [b["name"] for b in config["backends"] if b["role"] == "replica"]
            if samples and any(eligible.get(name) != 1 for name in replicas):
                problems.append(f"rwproxy_replica_eligible is not 1 for every replica: {eligible}")
            threshold = [v for n, _, v in samples if n == "rwproxy_max_replica_lag_seconds"]
            if samples and threshold != [config["routing"]["max_replica_lag_ms"] / 1000]:
                problems.append(f"rwproxy_max_replica_lag_seconds = {threshold}, config says "
                                f"{config['routing']['max_replica_lag_ms']} ms")
            if not problems:
                break
            check(proxy.poll() is None, f"rwproxy exited ({proxy.returncode}):\n{tail(log_path)}")
            if time.monotonic() > deadline:
                raise Failure(f"after {METRICS_TIMEOUT_S}s with traffic and an open session:\n  "
                              + "\n  ".join(problems) + f"\n--- rwproxy log (tail) ---\n{tail(log_path)}")
            time.sleep(0.5)
        log(f"OK: rwproxy with {os.path.relpath(config_path)} exports all {len(want)} series the dashboard queries; "
            f"backends up, replicas eligible")
    finally:
        for process in (session, proxy):
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def mount_for(service, base, target):
    for volume in service.get("volumes", []):
        source, mounted_at = volume.split(":")[:2]
        if mounted_at == target:
            return os.path.normpath(os.path.join(base, source))
    return None


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compose", required=True)
    parser.add_argument("--work-dir", default=tempfile.gettempdir())
    parser.add_argument("--rwproxy", help="rwproxy binary: also run the proxy and check its metrics")
    parser.add_argument("--dashboard", help="the Grafana dashboard whose series must be exported")
    args = parser.parse_args()
    if bool(args.rwproxy) != bool(args.dashboard):
        parser.error("--rwproxy and --dashboard go together")
    for tool in ("mariadbd", "mariadb", "mariadb-install-db"):
        if not shutil.which(tool):
            print(f"local_stack_test: {tool} not found (mariadb-server, scripts/install-deps.sh)", file=sys.stderr)
            return 1

    compose_dir = os.path.dirname(os.path.abspath(args.compose))
    with open(args.compose, encoding="utf-8") as f:
        services = yaml.safe_load(f)["services"]
    os.makedirs(args.work_dir, exist_ok=True)
    # Short path: Unix socket paths are limited to 108 bytes.
    work = tempfile.mkdtemp(prefix="rwproxy-docker-", dir=args.work_dir if len(args.work_dir) < 60 else "/tmp")
    servers = []
    taken_ports = set()
    servers_ready = False  # past this point a failure is rwproxy's: the servers' logs are noise
    try:
        for name, service in services.items():
            if str(service.get("image", "")).startswith("mariadb:"):
                servers.append(Server(name, service, compose_dir, work, taken_ports))
        master = next((s for s in servers if s.name == "master"), None)
        replicas = [s for s in servers if s.name != "master"]
        check(master is not None and replicas, "compose.yaml needs a master and replicas")

        # The image's entrypoint: mariadb-install-db with the server's options and no binlog.
        template = os.path.join(work, "template")
        log("mariadb-install-db")
        # Own tmpdirs: a server starting elsewhere removes #sql temporary files in a shared /tmp.
        install_tmp = os.path.join(work, "install-tmp")
        os.makedirs(install_tmp, exist_ok=True)
        install = ["mariadb-install-db", f"--defaults-file={master.cnf}", f"--datadir={template}",
                   f"--tmpdir={install_tmp}", "--auth-root-authentication-method=socket", "--skip-test-db",
                   "--skip-log-bin"]
        if os.geteuid() == 0:
            install.append("--user=root")
        run(install)

        for server in servers:
            server.start(template)
        for server in servers:
            server.wait_ready()
        init_sql(master, master.port)
        for replica in replicas:
            init_sql(replica, master.port)
        if args.rwproxy:
            wait_replicated(master, replicas)
            servers_ready = True
            check_proxy_metrics(args, services["rwproxy"], compose_dir, work, servers)
        else:
            verify(master, replicas)
            log(f"OK: {master.name} + {', '.join(r.name for r in replicas)} replicate with GTID; accounts and "
                "read_only as scripts/topology.sh")
        return 0
    except Failure as e:
        print(f"local_stack_test: FAILED: {e}", file=sys.stderr)
        for server in servers if not servers_ready else []:
            if server.process:
                print(f"--- {server.name} error log (tail) ---\n{server.error_log()}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
