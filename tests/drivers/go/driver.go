// The driver matrix's checks (see ../run_driver.py) with Go's database/sql and
// go-sql-driver/mysql (Debian's golang-github-go-sql-driver-mysql-dev). Parameterized queries use
// the driver's default: server-side prepared statements (prepare, execute, close).
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

var env = func(k string) string { return os.Getenv(k) }

func contextBackground() context.Context { return context.Background() }

func dsn(password, tlsName string) string {
	d := fmt.Sprintf("%s:%s@tcp(%s:%s)/%s?charset=utf8mb4", env("RW_USER"), password, env("RW_HOST"),
		env("RW_PORT"), env("RW_DB"))
	if tlsName != "" {
		d += "&tls=" + tlsName
	}
	return d
}

func open(password, tlsName string) (*sql.DB, error) {
	db, err := sql.Open("mysql", dsn(password, tlsName))
	if err != nil {
		return nil, err
	}
	return db, db.Ping()
}

func registerCA(name, file string) error {
	pem, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return errors.New("no certificate in " + file)
	}
	// The proxy's certificate names 127.0.0.1 and localhost; Go checks the host name too.
	return mysql.RegisterTLSConfig(name, &tls.Config{RootCAs: pool, ServerName: env("RW_HOST")})
}

func code(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func replicaRead() error {
	db, err := open(env("RW_PASSWORD"), "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var seen []int
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var id int
		if err := db.QueryRow("SELECT @@server_id").Scan(&id); err != nil {
			return err
		}
		if id == 2 || id == 3 {
			return nil
		}
		seen = append(seen, id)
	}
	return fmt.Errorf("never served by a replica: %v", seen)
}

func readYourWrite(db *sql.DB) error {
	conn, err := db.Conn(contextBackground())
	if err != nil {
		return err
	}
	defer conn.Close()
	marker := fmt.Sprintf("ryw-%d", time.Now().UnixNano())
	if _, err := conn.ExecContext(contextBackground(), "INSERT INTO "+env("RW_TABLE")+" (v) VALUES (?)", marker); err != nil {
		return err
	}
	var n int
	if err := conn.QueryRowContext(contextBackground(), "SELECT COUNT(*) FROM "+env("RW_TABLE")+" WHERE v = ?", marker).Scan(&n); err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("row not visible right after the insert: %d", n)
	}
	return nil
}

func preparedStatement(db *sql.DB) error {
	stmt, err := db.Prepare("SELECT ? + 1")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := 0; i < 3; i++ {
		var got int
		if err := stmt.QueryRow(41 + i).Scan(&got); err != nil {
			return err
		}
		if got != 42+i {
			return fmt.Errorf("got %d", got)
		}
	}
	return nil
}

func rollback(db *sql.DB) error {
	marker := fmt.Sprintf("rb-%d", time.Now().UnixNano())
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO "+env("RW_TABLE")+" (v) VALUES (?)", marker); err != nil {
		return err
	}
	var inside, after int
	if err := tx.QueryRow("SELECT COUNT(*) FROM "+env("RW_TABLE")+" WHERE v = ?", marker).Scan(&inside); err != nil {
		return err
	}
	if err := tx.Rollback(); err != nil {
		return err
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM "+env("RW_TABLE")+" WHERE v = ?", marker).Scan(&after); err != nil {
		return err
	}
	if inside != 1 || after != 0 {
		return fmt.Errorf("inside the transaction %d, after rollback %d", inside, after)
	}
	return nil
}

func concurrent20() error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	ready := make(chan struct{})
	var connected sync.WaitGroup
	connected.Add(20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fail := func(err error) {
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
			}
			db, err := sql.Open("mysql", dsn(env("RW_PASSWORD"), ""))
			if err == nil {
				err = db.Ping()
			}
			connected.Done()
			if err != nil {
				fail(err)
				return
			}
			defer db.Close()
			<-ready // all 20 connected at once
			var one int
			if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
				fail(fmt.Errorf("answer %d, %v", one, err))
			}
		}()
	}
	connected.Wait()
	close(ready)
	wg.Wait()
	if len(failures) > 0 {
		return fmt.Errorf("%d failed: %s", len(failures), failures[0])
	}
	return nil
}

func utf8mb4(db *sql.DB) error {
	text := "café ü 漢字 😀"
	if _, err := db.Exec("INSERT INTO "+env("RW_TABLE")+" (v) VALUES (?)", text); err != nil {
		return err
	}
	conn, err := db.Conn(contextBackground())
	if err != nil {
		return err
	}
	defer conn.Close()
	var got string
	if err := conn.QueryRowContext(contextBackground(), "SELECT v FROM "+env("RW_TABLE")+" WHERE v = ? LIMIT 1", text).Scan(&got); err != nil {
		return err
	}
	if got != text {
		return fmt.Errorf("read back %q", got)
	}
	return nil
}

func rows50k(db *sql.DB) error {
	rows, err := db.Query("SELECT seq, REPEAT('x', 50) FROM seq_1_to_50000")
	if err != nil {
		return err
	}
	defer rows.Close()
	n, last := 0, 0
	for rows.Next() {
		var pad string
		if err := rows.Scan(&last, &pad); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != 50000 || last != 50000 {
		return fmt.Errorf("%d rows, last %d", n, last)
	}
	return nil
}

func errorThenUsable(db *sql.DB) error {
	conn, err := db.Conn(contextBackground())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(contextBackground(), "SELECT * FROM no_such_table_here")
	if code(err) != 1146 {
		return fmt.Errorf("expected 1146, got %v", err)
	}
	var four int
	if err := conn.QueryRowContext(contextBackground(), "SELECT 2 + 2").Scan(&four); err != nil || four != 4 {
		return fmt.Errorf("connection unusable: %d, %v", four, err)
	}
	return nil
}

func wrongPassword() error {
	db, err := open("not-the-password", "")
	if db != nil {
		db.Close()
	}
	if code(err) != 1045 {
		return fmt.Errorf("expected 1045, got %v", err)
	}
	return nil
}

func tlsVerified() error {
	if err := registerCA("test-ca", env("RW_CA")); err != nil {
		return err
	}
	if err := registerCA("other-ca", env("RW_OTHER_CA")); err != nil {
		return err
	}
	db, err := open(env("RW_PASSWORD"), "test-ca")
	if err != nil {
		return fmt.Errorf("TLS with the test CA: %v", err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRow("SELECT 1").Scan(&one); err != nil || one != 1 {
		return fmt.Errorf("no answer over TLS: %v", err)
	}
	if bad, err := open(env("RW_PASSWORD"), "other-ca"); err == nil {
		bad.Close()
		return errors.New("a certificate from a foreign CA was accepted")
	}
	return nil
}

func main() {
	db, err := open(env("RW_PASSWORD"), "")
	if err != nil {
		fmt.Println("not ok - connect:", err)
		os.Exit(1)
	}
	defer db.Close()
	checks := []struct {
		name string
		run  func() error
	}{
		{"replica_read", replicaRead},
		{"read_your_write", func() error { return readYourWrite(db) }},
		{"prepared_statement", func() error { return preparedStatement(db) }},
		{"rollback", func() error { return rollback(db) }},
		{"concurrent_20", concurrent20},
		{"utf8mb4", func() error { return utf8mb4(db) }},
		{"rows_50k", func() error { return rows50k(db) }},
		{"error_then_usable", func() error { return errorThenUsable(db) }},
		{"wrong_password", wrongPassword},
		{"tls_verified", tlsVerified},
	}
	failed := false
	for _, c := range checks {
		if err := c.run(); err != nil {
			failed = true
			fmt.Printf("not ok - %s: %s\n", c.name, strings.ReplaceAll(err.Error(), "\n", " "))
		} else {
			fmt.Printf("ok - %s\n", c.name)
		}
	}
	if failed {
		os.Exit(1)
	}
}
