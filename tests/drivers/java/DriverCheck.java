// The driver matrix's checks (see ../run_driver.py) with MariaDB Connector/J (Debian's
// libmariadb-java), as a web app's JDBC code uses it: useServerPrepStmts=true for real
// server-side prepared statements, TLS with useSsl and the CA in serverSslCert.
// Run as a single source file: java -cp mariadb-java-client.jar DriverCheck.java
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

public class DriverCheck {
  static final Map<String, String> E = System.getenv();
  static final String TABLE = E.get("RW_TABLE");

  static Connection connect(String password, String extra) throws SQLException {
    String url = "jdbc:mariadb://" + E.get("RW_HOST") + ":" + E.get("RW_PORT") + "/" + E.get("RW_DB")
        + "?useServerPrepStmts=true&characterEncoding=utf8mb4" + extra;
    return DriverManager.getConnection(url, E.get("RW_USER"), password);
  }

  static Connection connect() throws SQLException { return connect(E.get("RW_PASSWORD"), ""); }

  static long scalar(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) s.setObject(i + 1, params[i]);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }

  interface Check { Object run() throws Exception; }  // true, or why not

  public static void main(String[] args) throws Exception {
    Map<String, Check> checks = new LinkedHashMap<>();
    checks.put("replica_read", () -> {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        List<Long> seen = new ArrayList<>();
        for (long deadline = System.currentTimeMillis() + 15000; System.currentTimeMillis() < deadline; Thread.sleep(200)) {
          try (ResultSet r = s.executeQuery("SELECT @@server_id")) {
            r.next();
            long id = r.getLong(1);
            if (id == 2 || id == 3) return true;
            seen.add(id);
          }
        }
        return "never served by a replica: " + seen;
      }
    });
    checks.put("read_your_write", () -> {
      try (Connection c = connect()) {
        String marker = "ryw-" + System.nanoTime();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (v) VALUES (?)")) {
          s.setString(1, marker);
          s.executeUpdate();
        }
        long n = scalar(c, "SELECT COUNT(*) FROM " + TABLE + " WHERE v = ?", marker);
        return n == 1 ? true : "row not visible right after the insert: " + n;
      }
    });
    checks.put("prepared_statement", () -> {
      try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT ? + 1")) {
        for (int i = 0; i < 3; i++) {
          s.setInt(1, 41 + i);
          try (ResultSet r = s.executeQuery()) {
            r.next();
            if (r.getInt(1) != 42 + i) return "got " + r.getInt(1);
          }
        }
        return true;
      }
    });
    checks.put("rollback", () -> {
      try (Connection c = connect()) {
        String marker = "rb-" + System.nanoTime();
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (v) VALUES (?)")) {
          s.setString(1, marker);
          s.executeUpdate();
        }
        long inside = scalar(c, "SELECT COUNT(*) FROM " + TABLE + " WHERE v = ?", marker);
        c.rollback();
        c.setAutoCommit(true);
        long after = scalar(c, "SELECT COUNT(*) FROM " + TABLE + " WHERE v = ?", marker);
        return inside == 1 && after == 0 ? true : "inside the transaction " + inside + ", after rollback " + after;
      }
    });
    checks.put("concurrent_20", () -> {
      List<Connection> conns = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) conns.add(connect());  // all 20 open at once
        List<Thread> threads = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (Connection c : conns) {
          Thread t = new Thread(() -> {
            try {
              if (scalar(c, "SELECT 1") != 1) failures.add("wrong answer");
            } catch (SQLException e) {
              failures.add(e.getMessage());
            }
          });
          threads.add(t);
          t.start();
        }
        for (Thread t : threads) t.join();
        return failures.isEmpty() ? true : failures.size() + " failed: " + failures.get(0);
      } finally {
        for (Connection c : conns) c.close();
      }
    });
    checks.put("utf8mb4", () -> {
      try (Connection c = connect()) {
        String text = "café ü 漢字 \uD83D\uDE00";
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + TABLE + " (v) VALUES (?)")) {
          s.setString(1, text);
          s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT v FROM " + TABLE + " WHERE v = ? LIMIT 1")) {
          s.setString(1, text);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next()) return "not found";
            return text.equals(r.getString(1)) ? true : "read back " + r.getString(1);
          }
        }
      }
    });
    checks.put("rows_50k", () -> {
      try (Connection c = connect(); Statement s = c.createStatement();
           ResultSet r = s.executeQuery("SELECT seq, REPEAT('x', 50) FROM seq_1_to_50000")) {
        long n = 0, last = 0;
        while (r.next()) {
          n++;
          last = r.getLong(1);
        }
        return n == 50000 && last == 50000 ? true : n + " rows";
      }
    });
    checks.put("error_then_usable", () -> {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        try {
          s.executeQuery("SELECT * FROM no_such_table_here");
          return "no error";
        } catch (SQLException e) {
          if (e.getErrorCode() != 1146) return "error " + e.getErrorCode() + ": " + e.getMessage();
        }
        return scalar(c, "SELECT 2 + 2") == 4 ? true : "connection unusable";
      }
    });
    checks.put("wrong_password", () -> {
      try (Connection c = connect("not-the-password", "")) {
        return "connected";
      } catch (SQLException e) {
        return e.getErrorCode() == 1045 ? true : "error " + e.getErrorCode() + ": " + e.getMessage();
      }
    });
    checks.put("tls_verified", () -> {
      try (Connection c = connect(E.get("RW_PASSWORD"), "&useSsl=true&serverSslCert=" + E.get("RW_CA"))) {
        if (scalar(c, "SELECT 1") != 1) return "no answer over TLS";
      }
      try (Connection c = connect(E.get("RW_PASSWORD"), "&useSsl=true&serverSslCert=" + E.get("RW_OTHER_CA"))) {
        return "a certificate from a foreign CA was accepted";
      } catch (SQLException e) {
        return true;
      }
    });

    boolean failed = false;
    for (Map.Entry<String, Check> check : checks.entrySet()) {
      Object result;
      try {
        result = check.getValue().run();
      } catch (Exception e) {
        result = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      if (Boolean.TRUE.equals(result)) {
        System.out.println("ok - " + check.getKey());
      } else {
        failed = true;
        System.out.println("not ok - " + check.getKey() + ": " + String.valueOf(result).replace('\n', ' '));
      }
    }
    System.exit(failed ? 1 : 0);
  }
}
