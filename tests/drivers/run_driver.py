#!/usr/bin/python3
"""Runs one driver program of the matrix against its own rwproxy on the topology.

The driver programs (python_driver.py, go/driver.go, node/driver.js, php/*.php,
java/DriverCheck.java) run the same checks and print one line per check, "ok - NAME" or
"not ok - NAME: why", exiting non-zero if any failed:
  replica_read         a read on a fresh connection is served by a replica (@@server_id 2 or 3)
  read_your_write      an INSERT, then the row read back at once on the same connection
  prepared_statement   a server-side prepared statement with a parameter
  rollback             a transaction rolled back leaves no row
  concurrent_20        20 connections at once, each served
  utf8mb4              an emoji and accented text round trip
  rows_50k             a 50,000-row result, complete
  error_then_usable    a failing statement (1146), then the connection still works
  wrong_password       1045 for a wrong password
  tls_verified         TLS with the test CA verified (and a foreign CA refused)
The program gets: RW_HOST RW_PORT RW_USER RW_PASSWORD RW_DB RW_TABLE RW_CA RW_OTHER_CA.

usage: run_driver.py RWPROXY_BINARY NAME COMMAND...   (env: RWPROXY_STATE_DIR of a running topology)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import pymysql

STATE_DIR = os.environ["RWPROXY_STATE_DIR"]
CHECKS = ["replica_read", "read_your_write", "prepared_statement", "rollback", "concurrent_20", "utf8mb4",
          "rows_50k", "error_then_usable", "wrong_password", "tls_verified"]


def topology_env():
    path = os.path.join(STATE_DIR, "topology", "topology.env")
    return {k: v.strip().strip("'") for k, v in (line.strip().split("=", 1) for line in open(path)
                                                 if "=" in line and not line.startswith("#"))}


def start_proxy(binary, work):
    config = open(os.path.join(STATE_DIR, "topology", "rwproxy.toml")).read()
    config = re.sub(r"(?m)^listen_port = \d+", "listen_port = 0", config)  # [proxy] and [metrics]
    path = os.path.join(work, "rwproxy.toml")
    open(path, "w").write(config)
    ports_file = os.path.join(work, "rwproxy.ports")
    log_path = os.path.join(work, "rwproxy.log")
    process = subprocess.Popen([binary, "--config", path, "--ports-file", ports_file],
                               stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while not os.path.exists(ports_file):
        if process.poll() is not None or time.time() > deadline:
            sys.stderr.write(open(log_path).read())
            raise SystemExit("run_driver: rwproxy did not start")
        time.sleep(0.05)
    ports = dict(line.strip().split("=") for line in open(ports_file) if "=" in line)
    return process, int(ports["listen_port"]), log_path


def main():
    binary, name, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    env = topology_env()
    table = "driver_" + re.sub(r"\W", "_", name)[:40]
    tls_dir = os.path.join(STATE_DIR, "topology", "tls")
    with tempfile.TemporaryDirectory(prefix="rwproxy-driver-") as work:
        process, port, log_path = start_proxy(binary, work)
        try:
            setup = pymysql.connect(host="127.0.0.1", port=int(env["MASTER_PORT"]), user=env["APP_USER"],
                                    password=env["APP_PASSWORD"], database=env["APP_DB"], autocommit=True)
            with setup.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, "
                               "v VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL)")
            setup.close()
            subprocess.run([os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "topology.sh"),
                            "wait-replication"], check=True, stdout=subprocess.DEVNULL)
            child_env = dict(os.environ, RW_HOST="127.0.0.1", RW_PORT=str(port), RW_USER=env["APP_USER"],
                             RW_PASSWORD=env["APP_PASSWORD"], RW_DB=env["APP_DB"], RW_TABLE=table,
                             RW_CA=os.path.join(tls_dir, "ca.pem"), RW_OTHER_CA=os.path.join(tls_dir, "other-ca.pem"))
            started = time.time()
            result = subprocess.run(command, env=child_env, capture_output=True, text=True, timeout=600)
            sys.stdout.write(result.stdout)
            sys.stderr.write(result.stderr)
            lines = result.stdout.splitlines()
            passed = {c for c in CHECKS if f"ok - {c}" in lines}
            missing = [c for c in CHECKS if c not in passed]
            print(f"run_driver: {' '.join(command)}: {len(passed)}/{len(CHECKS)} checks passed "
                  f"in {time.time() - started:.1f} s")
            if result.returncode != 0 or missing:
                print(f"run_driver: FAIL (exit {result.returncode}; not passed: {', '.join(missing) or '-'})",
                      file=sys.stderr)
                return 1
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                print("run_driver: rwproxy did not stop", file=sys.stderr)
                return 1
            if process.returncode != 0:
                sys.stderr.write(open(log_path).read()[-4000:])
                print(f"run_driver: rwproxy exited with {process.returncode}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
