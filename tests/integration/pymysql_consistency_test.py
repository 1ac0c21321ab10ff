#!/usr/bin/python3
"""Read-your-writes through rwproxy with PyMySQL, a driver that does NOT negotiate
CLIENT_SESSION_TRACK: the proxy tracks last_gtid on the master anyway and must strip it from the
OK packets this client gets (affected rows, insert ids and info messages intact).

Starts its own rwproxy on the topology (consistency = "causal", port 0 + --ports-file).
usage: pymysql_consistency_test.py RWPROXY_BINARY   (env: RWPROXY_STATE_DIR)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import pymysql

STATE_DIR = os.environ["RWPROXY_STATE_DIR"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"pymysql_consistency_test: FAIL: {message}", file=sys.stderr)


def start_proxy(binary, work):
    config = open(os.path.join(STATE_DIR, "topology", "rwproxy.toml")).read()
    config = re.sub(r"(?m)^listen_port = \d+", "listen_port = 0", config)
    config = re.sub(r"(?m)^consistency = .*\n", "", config)
    config = config.replace("[routing]\n", '[routing]\nconsistency = "causal"\n', 1)
    path = os.path.join(work, "rwproxy.toml")
    open(path, "w").write(config)
    ports_file = os.path.join(work, "rwproxy.ports")
    log = open(os.path.join(work, "rwproxy.log"), "w")
    process = subprocess.Popen([binary, "--config", path, "--ports-file", ports_file], stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.time() + 15
    while not os.path.exists(ports_file):
        if process.poll() is not None or time.time() > deadline:
            print(open(os.path.join(work, "rwproxy.log")).read(), file=sys.stderr)
            raise SystemExit("pymysql_consistency_test: rwproxy did not start")
        time.sleep(0.05)
    ports = dict(line.strip().split("=") for line in open(ports_file) if "=" in line)
    time.sleep(0.5)  # the monitor's first readings
    return process, int(ports["listen_port"])


def main():
    with tempfile.TemporaryDirectory(prefix="rwproxy-pymysql-") as work:
        process, port = start_proxy(sys.argv[1], work)
        try:
            run(port)
        finally:
            process.terminate()
            process.wait(30)
            check(process.returncode == 0, f"rwproxy exited with {process.returncode}")
    if failures:
        print(f"0 passed, {len(failures)} failed", file=sys.stderr)
        return 1
    print("1 passed, 0 failed")
    return 0


def run(port):
    connection = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret", database="rwtest",
                                 autocommit=True)
    cursor = connection.cursor()
    cursor.execute("DROP TABLE IF EXISTS py_rw")
    cursor.execute("CREATE TABLE py_rw (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)")
    # Multi-row INSERT: affected rows, the first insert id and the info message survive the rewrite.
    affected = cursor.execute("INSERT INTO py_rw (v) VALUES (1), (2), (3)")
    check(affected == 3, f"multi-row insert: affected rows {affected}, expected 3")
    check(cursor.lastrowid == 1, f"multi-row insert: insert id {cursor.lastrowid}, expected 1")
    through_proxy = connection._result.message
    # The reference: the same statement straight on the master, to the same driver.
    env = dict(line.strip().split("=", 1) for line in open(os.path.join(STATE_DIR, "topology", "topology.env"))
               if "=" in line and not line.startswith("#"))
    direct = pymysql.connect(host="127.0.0.1", port=int(env["MASTER_PORT"].strip("'")), user="app",
                             password="app-secret", database="rwtest", autocommit=True)
    direct_cursor = direct.cursor()
    direct_cursor.execute("INSERT INTO py_rw (v) VALUES (4), (5), (6)")
    check(through_proxy == direct._result.message and b"Records: 3" in through_proxy,
          f"multi-row insert: info {through_proxy!r} through the proxy, {direct._result.message!r} direct")
    direct_cursor.execute("DELETE FROM py_rw WHERE v IN (4, 5, 6)")
    direct.close()
    stale = on_replica = 0
    for i in range(200):
        cursor.execute("INSERT INTO py_rw (v) VALUES (%s)", (i,))
        row_id = cursor.lastrowid
        cursor.execute("SELECT COUNT(*), @@server_id FROM py_rw WHERE id = %s", (row_id,))
        count, server = cursor.fetchone()
        stale += count != 1
        on_replica += server != 1
    check(stale == 0, f"{stale} of 200 reads after a write did not see it")
    check(on_replica >= 160, f"only {on_replica} of 200 reads after a write were served by replicas")
    # The token, read and presented by a client without session tracking.
    cursor.execute("SELECT rwproxy_consistency_token()")
    token = cursor.fetchone()[0]
    check(re.fullmatch(r"rwp1\.0-1-\d+", token) is not None, f"token {token!r}")
    other = pymysql.connect(host="127.0.0.1", port=port, user="app", password="app-secret", database="rwtest",
                            autocommit=True)
    other_cursor = other.cursor()
    other_cursor.execute("SET @rwproxy_consistency_token = %s", (token,))
    other_cursor.execute("SELECT MAX(id) FROM py_rw")
    check(other_cursor.fetchone()[0] == 206, "a token presented on another connection")
    # The client changes the tracked variables itself: the proxy puts last_gtid back.
    cursor.execute("SET SESSION session_track_system_variables = 'autocommit'")
    cursor.execute("SELECT rwproxy_consistency_token()")
    before = int(cursor.fetchone()[0].rsplit("-", 1)[1])
    stale_after_set = 0
    for i in range(50):
        cursor.execute("INSERT INTO py_rw (v) VALUES (%s)", (i,))
        row_id = cursor.lastrowid
        cursor.execute("SELECT COUNT(*) FROM py_rw WHERE id = %s", (row_id,))
        stale_after_set += cursor.fetchone()[0] != 1
    check(stale_after_set == 0, f"{stale_after_set} of 50 reads stale after the client set session_track_system_variables")
    cursor.execute("SELECT rwproxy_consistency_token()")
    after = int(cursor.fetchone()[0].rsplit("-", 1)[1])
    check(after - before >= 50, f"the session's position moved by {after - before} over 50 writes after the client "
                                "set session_track_system_variables (last_gtid no longer tracked?)")
    # Transactions: the COMMIT's OK carries last_gtid.
    connection.begin()
    cursor.execute("UPDATE py_rw SET v = v + 1 WHERE id = 1")
    connection.commit()
    cursor.execute("SELECT v FROM py_rw WHERE id = 1")
    check(cursor.fetchone()[0] == 2, "read after COMMIT")
    cursor.execute("DROP TABLE py_rw")
    other.close()
    connection.close()


if __name__ == "__main__":
    sys.exit(main())
