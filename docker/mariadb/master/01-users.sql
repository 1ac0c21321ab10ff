-- Master initialisation for docker/compose.yaml: run once by the mariadb image's entrypoint
-- (/docker-entrypoint-initdb.d) on an empty datadir, as root. Everything here is binlogged, so
-- the replicas, which replicate from the start of the master's binlog, get the same databases
-- and accounts.
--
-- Copied from master_setup_sql() in scripts/topology.sh (names, passwords, grants). One
-- deliberate difference: there every client is on 127.0.0.1, here clients (rwproxy and its
-- monitor, the replicas) are other containers, so the accounts topology.sh creates at
-- '127.0.0.1' are created at '%' instead.
-- tests/docker/local_stack_test.py runs this file on a real MariaDB 10.11 and checks the grants.

CREATE DATABASE IF NOT EXISTS rwtest;
CREATE DATABASE IF NOT EXISTS sbtest;

-- Replication account (REPL_USER / REPL_PASSWORD in topology.sh).
CREATE USER 'rwrepl'@'%'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('repl-secret');
GRANT REPLICATION SLAVE ON *.* TO 'rwrepl'@'%';

-- Application account: ALL on rwtest.* and sbtest.*, no global privileges (so no READ ONLY
-- ADMIN: a write that reaches a read_only replica fails with 1290).
-- 'localhost' matches Unix-socket clients (skip-name-resolve), '%' every TCP client.
CREATE USER 'app'@'%'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('app-secret');
GRANT ALL ON rwtest.* TO 'app'@'%';
GRANT ALL ON sbtest.* TO 'app'@'%';
CREATE USER 'app'@'localhost'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('app-secret');
GRANT ALL ON rwtest.* TO 'app'@'localhost';
GRANT ALL ON sbtest.* TO 'app'@'localhost';

-- Administration account (STOP SLAVE, MASTER_DELAY, ...).
CREATE USER 'rwadmin'@'%'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('admin-secret');
GRANT ALL PRIVILEGES ON *.* TO 'rwadmin'@'%' WITH GRANT OPTION;
CREATE USER 'rwadmin'@'localhost'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('admin-secret');
GRANT ALL PRIVILEGES ON *.* TO 'rwadmin'@'localhost' WITH GRANT OPTION;

-- rwproxy's backend monitor: SHOW ALL SLAVES STATUS, and heartbeats in rwproxy.* (it creates
-- the schema and table itself).
CREATE USER 'rwmonitor'@'%'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('monitor-secret');
GRANT SLAVE MONITOR ON *.* TO 'rwmonitor'@'%';
GRANT CREATE, INSERT, UPDATE, SELECT ON rwproxy.* TO 'rwmonitor'@'%';
CREATE USER 'rwmonitor'@'localhost'
  IDENTIFIED VIA mysql_native_password USING PASSWORD('monitor-secret');
GRANT SLAVE MONITOR ON *.* TO 'rwmonitor'@'localhost';
GRANT CREATE, INSERT, UPDATE, SELECT ON rwproxy.* TO 'rwmonitor'@'localhost';
