#!/usr/bin/python3
"""The driver matrix's checks (see run_driver.py) with a Python DB-API driver:
python_driver.py pymysql | MySQLdb   (Debian's python3-pymysql, python3-mysqldb)."""
import os
import sys
import threading
import time

MODULE = sys.argv[1]
db = __import__(MODULE)
E = os.environ
results = []


def connect(password=None, ssl=None, **extra):
    args = dict(host=E["RW_HOST"], port=int(E["RW_PORT"]), user=E["RW_USER"],
                password=password if password is not None else E["RW_PASSWORD"], database=E["RW_DB"],
                charset="utf8mb4", autocommit=True, **extra)
    if MODULE == "MySQLdb":
        args["passwd"] = args.pop("password")
        args["db"] = args.pop("database")
        if ssl:
            args["ssl"] = {"ca": ssl}  # with a CA, Connector/C verifies the proxy's certificate
        conn = db.connect(**args)
        conn.autocommit(True)
        return conn
    if ssl:
        args["ssl"] = {"ca": ssl, "check_hostname": True}
    return db.connect(**args)


def scalar(conn, sql, params=None):
    cur = conn.cursor()
    cur.execute(sql, params) if params is not None else cur.execute(sql)
    row = cur.fetchone()
    cur.close()
    return row[0] if row else None


def check(name, fn):
    try:
        detail = fn()
        ok = detail is True
    except Exception as e:  # a failed check, not a crash of the matrix
        ok, detail = False, f"{type(e).__name__}: {e}"
    print(f"ok - {name}" if ok else f"not ok - {name}: {detail}", flush=True)
    results.append(ok)


def error_code(e):
    return e.args[0] if e.args else None


def replica_read():
    conn = connect()
    deadline = time.time() + 15
    seen = []
    while time.time() < deadline:
        sid = int(scalar(conn, "SELECT @@server_id"))
        seen.append(sid)
        if sid in (2, 3):
            return True
        time.sleep(0.2)
    return f"never served by a replica: {seen[-5:]}"


def read_your_write():
    conn = connect()
    marker = f"ryw-{os.getpid()}-{time.time()}"
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {E['RW_TABLE']} (v) VALUES (%s)", (marker,))
    got = scalar(conn, f"SELECT COUNT(*) FROM {E['RW_TABLE']} WHERE v = %s", (marker,))
    return True if int(got) == 1 else f"row not visible right after the insert: {got}"


def prepared_statement():
    # Neither Python driver has binary-protocol statements: a server-side SQL PREPARE.
    conn = connect()
    cur = conn.cursor()
    cur.execute("PREPARE s FROM 'SELECT ? + 1'")
    cur.execute("SET @a = 41")
    cur.execute("EXECUTE s USING @a")
    got = cur.fetchone()[0]
    cur.execute("DEALLOCATE PREPARE s")
    return True if int(got) == 42 else f"got {got}"


def rollback():
    conn = connect()
    marker = f"rb-{os.getpid()}-{time.time()}"
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"INSERT INTO {E['RW_TABLE']} (v) VALUES (%s)", (marker,))
    inside = int(scalar(conn, f"SELECT COUNT(*) FROM {E['RW_TABLE']} WHERE v = %s", (marker,)))
    cur.execute("ROLLBACK")
    after = int(scalar(conn, f"SELECT COUNT(*) FROM {E['RW_TABLE']} WHERE v = %s", (marker,)))
    return True if (inside, after) == (1, 0) else f"inside the transaction {inside}, after rollback {after}"


def concurrent_20():
    errors, served = [], []
    together = threading.Barrier(20, timeout=30)

    def one():
        try:
            conn = connect()
            together.wait()  # all 20 connected at once
            served.append(int(scalar(conn, "SELECT 1")))
            together.wait()
            conn.close()
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=one) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        return f"{len(errors)} failed: {errors[0]}"
    return True if served == [1] * 20 else f"answers {served}"


def utf8mb4():
    conn = connect()
    text = "caf\u00e9 \u00fc \u6f22\u5b57 \U0001F600"
    cur = conn.cursor()
    cur.execute(f"INSERT INTO {E['RW_TABLE']} (v) VALUES (%s)", (text,))
    got = scalar(conn, f"SELECT v FROM {E['RW_TABLE']} WHERE v = %s", (text,))
    if isinstance(got, bytes):
        got = got.decode("utf8")
    return True if got == text else f"read back {got!r}"


def rows_50k():
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT seq, REPEAT('x', 50) FROM seq_1_to_50000")
    rows = cur.fetchall()
    return True if len(rows) == 50000 and int(rows[-1][0]) == 50000 else f"{len(rows)} rows"


def error_then_usable():
    conn = connect()
    try:
        scalar(conn, "SELECT * FROM no_such_table_here")
        return "no error"
    except db.MySQLError as e:
        if error_code(e) != 1146:
            return f"error {error_code(e)}, expected 1146"
    return True if int(scalar(conn, "SELECT 2 + 2")) == 4 else "connection unusable"


def wrong_password():
    try:
        connect(password="not-the-password")
        return "connected"
    except db.MySQLError as e:
        return True if error_code(e) == 1045 else f"error {error_code(e)}, expected 1045"


def tls_verified():
    conn = connect(ssl=E["RW_CA"])
    if MODULE == "pymysql":
        import ssl
        if not isinstance(conn._sock, ssl.SSLSocket):
            return "not encrypted"
    # MySQLdb has no call that shows the cipher: the refused foreign CA below shows TLS was used.
    if int(scalar(conn, "SELECT 1")) != 1:
        return "no answer over TLS"
    try:
        connect(ssl=E["RW_OTHER_CA"])
        return "a certificate from a foreign CA was accepted"
    except Exception:
        return True


for name, fn in [("replica_read", replica_read), ("read_your_write", read_your_write),
                 ("prepared_statement", prepared_statement), ("rollback", rollback),
                 ("concurrent_20", concurrent_20), ("utf8mb4", utf8mb4), ("rows_50k", rows_50k),
                 ("error_then_usable", error_then_usable), ("wrong_password", wrong_password),
                 ("tls_verified", tls_verified)]:
    check(name, fn)
sys.exit(0 if all(results) else 1)
