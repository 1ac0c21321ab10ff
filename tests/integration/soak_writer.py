#!/usr/bin/env python3
"""Write counter for tests/integration/soak_faults.sh.

    soak_writer.py --port P --user U --password W --db D --table T --seconds S --out DIR [--rate R]

Through the proxy, with autocommit, INSERTs one row per statement into table T (created by the
caller: `seq BIGINT PRIMARY KEY, payload VARCHAR(64)`) for S seconds, seq 1, 2, 3, ..., R per second
(default 0: as fast as it can). Each INSERT
ends as one of:
  acknowledged  the server's OK reached us: the row must be on the master afterwards;
  rejected      an error packet (the row was not written): a client-visible write error;
  in doubt      the connection broke before an answer (the row may or may not exist); we reconnect.
Every READ_EVERY inserts it reads back `SELECT COUNT(*) FROM T` through the proxy (a plain read, so
a replica serves it under causal consistency): a count below the acknowledged inserts is a stale
read (the proxy's read-your-writes promise broken).

Writes DIR/acked_seqs (one acknowledged seq per line, in order) and DIR/writer.summary
(key=value lines: acked, rejected, in_doubt, reads, stale_reads, read_errors, reconnects,
connect_failures, last_error). Exit 0 when it ran to the end (the caller judges the figures), 2 on bad usage,
1 if it could not connect at all at the start.
"""

import argparse
import os
import sys
import time

import pymysql

READ_EVERY = 25
# Client-side codes for a connection that broke or could not be opened: the statement's fate is
# unknown (2006 gone away, 2013 lost during query, 2014 out of sync, 2003 can't connect).
CONNECTION_ERRORS = {2003, 2006, 2013, 2014, 2055}


def connect(args):
    return pymysql.connect(host=args.host, port=args.port, user=args.user, password=args.password,
                           database=args.db, autocommit=True, connect_timeout=5, read_timeout=30,
                           write_timeout=30)


def drop(conn):
    try:
        conn.close()
    except Exception:  # pylint: disable=broad-except  (already broken: nothing to tell)
        pass


def error_code(exc):
    return exc.args[0] if exc.args and isinstance(exc.args[0], int) else -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rate", type=float, default=0, help="INSERTs per second, 0 = as fast as it can")
    args = parser.parse_args()

    stats = dict(acked=0, rejected=0, in_doubt=0, reads=0, stale_reads=0, read_errors=0,
                 reconnects=0, connect_failures=0)
    last_error = ""
    try:
        conn = connect(args)
    except pymysql.MySQLError as exc:
        print(f"soak_writer: cannot connect to port {args.port}: {exc}", file=sys.stderr)
        return 1

    insert = f"INSERT INTO `{args.table}` (seq, payload) VALUES (%s, %s)"
    count = f"SELECT COUNT(*) FROM `{args.table}`"
    deadline = time.monotonic() + args.seconds
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_insert = time.monotonic()
    seq = 0
    with open(os.path.join(args.out, "acked_seqs"), "w", encoding="ascii") as acked_file:
        while time.monotonic() < deadline:
            if interval:
                # Paced: a slow stretch is not made up with a burst afterwards.
                next_insert = max(next_insert + interval, time.monotonic() - interval)
                time.sleep(max(0.0, next_insert - time.monotonic()))
            if conn is None:
                try:
                    conn = connect(args)
                    stats["reconnects"] += 1
                except pymysql.MySQLError as exc:
                    stats["connect_failures"] += 1
                    last_error = f"connect: {exc}"
                    time.sleep(0.2)
                    continue
            seq += 1
            try:
                with conn.cursor() as cur:
                    cur.execute(insert, (seq, f"soak row {seq}"))
                stats["acked"] += 1
                acked_file.write(f"{seq}\n")
            except pymysql.MySQLError as exc:
                last_error = f"insert seq {seq}: {exc}"
                if error_code(exc) in CONNECTION_ERRORS or isinstance(exc, pymysql.err.InterfaceError):
                    stats["in_doubt"] += 1
                    drop(conn)
                    conn = None
                else:
                    stats["rejected"] += 1
                continue
            if seq % READ_EVERY == 0:
                try:
                    with conn.cursor() as cur:
                        cur.execute(count)
                        rows = cur.fetchone()[0]
                    stats["reads"] += 1
                    if rows < stats["acked"]:
                        stats["stale_reads"] += 1
                        last_error = f"stale read: {rows} rows after {stats['acked']} acknowledged inserts"
                except pymysql.MySQLError as exc:
                    stats["read_errors"] += 1
                    last_error = f"read after seq {seq}: {exc}"
                    if error_code(exc) in CONNECTION_ERRORS or isinstance(exc, pymysql.err.InterfaceError):
                        drop(conn)
                        conn = None
    if conn is not None:
        drop(conn)

    with open(os.path.join(args.out, "writer.summary"), "w", encoding="utf-8") as summary:
        for key, value in stats.items():
            summary.write(f"{key}={value}\n")
        summary.write(f"last_error={last_error.replace(chr(10), ' ')}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
