-- Replica initialisation for docker/compose.yaml: run once by the mariadb image's entrypoint
-- (/docker-entrypoint-initdb.d) on an empty datadir, as root, on replica1 and replica2.
--
-- Copied from replica_setup_sql() in scripts/topology.sh: GTID replication from the master
-- with MASTER_USE_GTID=slave_pos, starting from an empty slave position, i.e. from the start of
-- the master's binlog (which begins with docker/mariadb/master/01-users.sql, so the accounts
-- and databases arrive by replication). read_only=ON is set on the command line
-- (docker/compose.yaml). The host is the compose service name and MariaDB's own port.
-- tests/docker/local_stack_test.py runs this file against a real master (with the host and
-- port replaced by the test's own).

-- The entrypoint binlogs nothing of its own (its system accounts are written with
-- sql_log_bin=0), but make sure: with gtid_strict_mode a replica whose binlog holds its own
-- GTIDs would refuse the master's.
RESET MASTER;
SET GLOBAL gtid_slave_pos = '';

CHANGE MASTER TO
  MASTER_HOST='master', MASTER_PORT=3306,
  MASTER_USER='rwrepl', MASTER_PASSWORD='repl-secret',
  MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;
START SLAVE;
