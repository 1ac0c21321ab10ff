<?php
// The driver matrix's checks (see ../run_driver.py) with PHP's mysqlnd: php driver.php mysqli | pdo
// (Debian's php-mysql). mysqli uses real server-side statements (prepare/bind/execute); PDO is
// run with ATTR_EMULATE_PREPARES off, so its prepares are server-side too.
declare(strict_types=1);
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

$api = $argv[1] ?? 'mysqli';
$E = getenv();
$table = $E['RW_TABLE'];

// A connection as the app user; $ca: TLS verified against that CA file.
function connect(string $password = null, ?string $ca = null) {
    global $api, $E;
    $password = $password ?? $E['RW_PASSWORD'];
    if ($api === 'pdo') {
        $options = [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false];
        if ($ca !== null) {
            $options[PDO::MYSQL_ATTR_SSL_CA] = $ca;
            $options[PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT] = true;
        }
        $dsn = "mysql:host={$E['RW_HOST']};port={$E['RW_PORT']};dbname={$E['RW_DB']};charset=utf8mb4";
        return new PDO($dsn, $E['RW_USER'], $password, $options);
    }
    $db = mysqli_init();
    $flags = 0;
    if ($ca !== null) {
        $db->ssl_set(null, null, $ca, null, null);
        $db->options(MYSQLI_OPT_SSL_VERIFY_SERVER_CERT, true);
        $flags = MYSQLI_CLIENT_SSL;
    }
    $db->real_connect($E['RW_HOST'], $E['RW_USER'], $password, $E['RW_DB'], (int)$E['RW_PORT'], null, $flags);
    $db->set_charset('utf8mb4');
    return $db;
}

// The first column of the first row of $sql run with $params (a server-side prepared statement
// when there are parameters).
function scalar($db, string $sql, array $params = []) {
    global $api;
    if ($api === 'pdo') {
        $stmt = $db->prepare($sql);
        $stmt->execute($params);
        return $stmt->fetchColumn();
    }
    if (!$params) return $db->query($sql)->fetch_row()[0];
    $stmt = $db->prepare($sql);
    $stmt->bind_param(str_repeat('s', count($params)), ...$params);
    $stmt->execute();
    return $stmt->get_result()->fetch_row()[0];
}

function exec_sql($db, string $sql, array $params = []): void {
    global $api;
    if ($api === 'pdo') {
        $db->prepare($sql)->execute($params);
        return;
    }
    if (!$params) { $db->query($sql); return; }
    $stmt = $db->prepare($sql);
    $stmt->bind_param(str_repeat('s', count($params)), ...$params);
    $stmt->execute();
}

function error_code(Throwable $e): int {
    if ($e instanceof PDOException) return (int)($e->errorInfo[1] ?? 0) ?: (int)preg_replace('/\D.*/', '', (string)$e->getCode());
    return (int)$e->getCode();
}

$checks = [
    'replica_read' => function () {
        $db = connect();
        $seen = [];
        for ($deadline = microtime(true) + 15; microtime(true) < $deadline; usleep(200000)) {
            $id = (int)scalar($db, 'SELECT @@server_id');
            if ($id === 2 || $id === 3) return true;
            $seen[] = $id;
        }
        return 'never served by a replica: ' . implode(',', array_slice($seen, -5));
    },
    'read_your_write' => function () use ($table) {
        $db = connect();
        $marker = 'ryw-' . getmypid() . '-' . microtime(true);
        exec_sql($db, "INSERT INTO $table (v) VALUES (?)", [$marker]);
        $n = (int)scalar($db, "SELECT COUNT(*) FROM $table WHERE v = ?", [$marker]);
        return $n === 1 ?: "row not visible right after the insert: $n";
    },
    'prepared_statement' => function () {
        $db = connect();
        for ($i = 0; $i < 3; $i++) {
            $got = (int)scalar($db, 'SELECT ? + 1', [(string)(41 + $i)]);
            if ($got !== 42 + $i) return "got $got";
        }
        return true;
    },
    'rollback' => function () use ($table, $api) {
        $db = connect();
        $marker = 'rb-' . getmypid() . '-' . microtime(true);
        $api === 'pdo' ? $db->beginTransaction() : $db->begin_transaction();
        exec_sql($db, "INSERT INTO $table (v) VALUES (?)", [$marker]);
        $inside = (int)scalar($db, "SELECT COUNT(*) FROM $table WHERE v = ?", [$marker]);
        $db->rollback();
        $after = (int)scalar($db, "SELECT COUNT(*) FROM $table WHERE v = ?", [$marker]);
        return ($inside === 1 && $after === 0) ?: "inside the transaction $inside, after rollback $after";
    },
    'concurrent_20' => function () {
        $conns = [];
        for ($i = 0; $i < 20; $i++) $conns[] = connect();  // all 20 open at once
        foreach ($conns as $db) {
            if ((int)scalar($db, 'SELECT 1') !== 1) return 'wrong answer';
        }
        return true;
    },
    'utf8mb4' => function () use ($table) {
        $db = connect();
        $text = "café ü 漢字 😀";
        exec_sql($db, "INSERT INTO $table (v) VALUES (?)", [$text]);
        $got = scalar($db, "SELECT v FROM $table WHERE v = ? LIMIT 1", [$text]);
        return $got === $text ?: 'read back ' . bin2hex((string)$got);
    },
    'rows_50k' => function () use ($api) {
        $db = connect();
        $sql = "SELECT seq, REPEAT('x', 50) FROM seq_1_to_50000";
        $rows = $api === 'pdo' ? $db->query($sql)->fetchAll(PDO::FETCH_NUM) : $db->query($sql)->fetch_all();
        return (count($rows) === 50000 && (int)$rows[49999][0] === 50000) ?: count($rows) . ' rows';
    },
    'error_then_usable' => function () {
        $db = connect();
        try {
            scalar($db, 'SELECT * FROM no_such_table_here');
            return 'no error';
        } catch (Throwable $e) {
            if (error_code($e) !== 1146) return 'error ' . error_code($e) . ': ' . $e->getMessage();
        }
        return (int)scalar($db, 'SELECT 2 + 2') === 4 ?: 'connection unusable';
    },
    'wrong_password' => function () {
        try {
            connect('not-the-password');
            return 'connected';
        } catch (Throwable $e) {
            return error_code($e) === 1045 ?: 'error ' . error_code($e) . ': ' . $e->getMessage();
        }
    },
    'tls_verified' => function () use ($E, $api) {
        $db = connect(null, $E['RW_CA']);
        if ($api === 'mysqli') {
            $cipher = $db->query("SELECT 1")->fetch_row()[0];
            if ((int)$cipher !== 1) return 'no answer over TLS';
        } elseif ((int)scalar($db, 'SELECT 1') !== 1) {
            return 'no answer over TLS';
        }
        try {
            connect(null, $E['RW_OTHER_CA']);
            return 'a certificate from a foreign CA was accepted';
        } catch (Throwable $e) {
            return true;
        }
    },
];

$failed = false;
foreach ($checks as $name => $check) {
    try {
        $result = $check();
    } catch (Throwable $e) {
        $result = get_class($e) . ' ' . error_code($e) . ': ' . $e->getMessage();
    }
    if ($result === true) {
        echo "ok - $name\n";
    } else {
        $failed = true;
        echo "not ok - $name: $result\n";
    }
}
exit($failed ? 1 : 0);
