// The driver matrix's checks (see ../run_driver.py) with Node's mysql2 (npm), promise API.
// execute() is mysql2's server-side prepared statement (cached per connection).
'use strict';
const fs = require('fs');
const mysql = require('mysql2/promise');

const env = process.env;
const base = {
  host: env.RW_HOST, port: Number(env.RW_PORT), user: env.RW_USER, password: env.RW_PASSWORD,
  database: env.RW_DB, charset: 'utf8mb4',
};
const table = env.RW_TABLE;

async function withConnection(options, fn) {
  const conn = await mysql.createConnection({ ...base, ...options });
  try { return await fn(conn); } finally { await conn.end(); }
}

const checks = {
  async replica_read() {
    return withConnection({}, async (conn) => {
      const seen = [];
      for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
        const [rows] = await conn.query('SELECT @@server_id AS id');
        const id = Number(rows[0].id);
        if (id === 2 || id === 3) return true;
        seen.push(id);
        await new Promise((r) => setTimeout(r, 200));
      }
      return `never served by a replica: ${seen.slice(-5)}`;
    });
  },
  async read_your_write() {
    return withConnection({}, async (conn) => {
      const marker = `ryw-${process.pid}-${Date.now()}`;
      await conn.query(`INSERT INTO ${table} (v) VALUES (?)`, [marker]);
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${table} WHERE v = ?`, [marker]);
      return Number(rows[0].n) === 1 || `row not visible right after the insert: ${rows[0].n}`;
    });
  },
  async prepared_statement() {
    return withConnection({}, async (conn) => {
      for (let i = 0; i < 3; i++) {
        const [rows] = await conn.execute('SELECT ? + 1 AS v', [41 + i]);
        if (Number(rows[0].v) !== 42 + i) return `got ${rows[0].v}`;
      }
      return true;
    });
  },
  async rollback() {
    return withConnection({}, async (conn) => {
      const marker = `rb-${process.pid}-${Date.now()}`;
      await conn.beginTransaction();
      await conn.execute(`INSERT INTO ${table} (v) VALUES (?)`, [marker]);
      const [inside] = await conn.execute(`SELECT COUNT(*) AS n FROM ${table} WHERE v = ?`, [marker]);
      await conn.rollback();
      const [after] = await conn.execute(`SELECT COUNT(*) AS n FROM ${table} WHERE v = ?`, [marker]);
      return (Number(inside[0].n) === 1 && Number(after[0].n) === 0) ||
        `inside the transaction ${inside[0].n}, after rollback ${after[0].n}`;
    });
  },
  async concurrent_20() {
    const conns = await Promise.all(Array.from({ length: 20 }, () => mysql.createConnection(base)));
    try {
      const answers = await Promise.all(conns.map(async (c) => (await c.query('SELECT 1 AS one'))[0][0].one));
      return answers.every((a) => Number(a) === 1) || `answers ${answers}`;
    } finally {
      await Promise.all(conns.map((c) => c.end()));
    }
  },
  async utf8mb4() {
    return withConnection({}, async (conn) => {
      const text = 'café ü 漢字 😀';
      await conn.execute(`INSERT INTO ${table} (v) VALUES (?)`, [text]);
      const [rows] = await conn.execute(`SELECT v FROM ${table} WHERE v = ? LIMIT 1`, [text]);
      return rows[0].v === text || `read back ${JSON.stringify(rows[0].v)}`;
    });
  },
  async rows_50k() {
    return withConnection({}, async (conn) => {
      const [rows] = await conn.query("SELECT seq, REPEAT('x', 50) AS pad FROM seq_1_to_50000");
      return (rows.length === 50000 && Number(rows[49999].seq) === 50000) || `${rows.length} rows`;
    });
  },
  async error_then_usable() {
    return withConnection({}, async (conn) => {
      try {
        await conn.query('SELECT * FROM no_such_table_here');
        return 'no error';
      } catch (e) {
        if (e.errno !== 1146) return `error ${e.errno}, expected 1146`;
      }
      const [rows] = await conn.query('SELECT 2 + 2 AS four');
      return Number(rows[0].four) === 4 || 'connection unusable';
    });
  },
  async wrong_password() {
    try {
      await withConnection({ password: 'not-the-password' }, async () => {});
      return 'connected';
    } catch (e) {
      return e.errno === 1045 || `error ${e.errno} ${e.message}, expected 1045`;
    }
  },
  async tls_verified() {
    const ok = await withConnection({ ssl: { ca: fs.readFileSync(env.RW_CA), rejectUnauthorized: true } },
      async (conn) => {
        const [rows] = await conn.query('SELECT 1 AS one');
        if (!conn.connection.stream.encrypted) return 'not encrypted';
        return Number(rows[0].one) === 1 || 'no answer over TLS';
      });
    if (ok !== true) return ok;
    try {
      await withConnection({ ssl: { ca: fs.readFileSync(env.RW_OTHER_CA), rejectUnauthorized: true } }, async () => {});
      return 'a certificate from a foreign CA was accepted';
    } catch (e) {
      return true;
    }
  },
};

(async () => {
  let failed = false;
  for (const [name, run] of Object.entries(checks)) {
    let result;
    try { result = await run(); } catch (e) { result = `${e.code || e.name}: ${e.message}`; }
    if (result === true) {
      console.log(`ok - ${name}`);
    } else {
      failed = true;
      console.log(`not ok - ${name}: ${result}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
