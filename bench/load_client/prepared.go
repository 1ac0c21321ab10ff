// Mode prepared (bench/prepared_bench.sh).
//
// Runs `SELECT v FROM bench_ps WHERE id = ?` with random ids in 1..-rows from -threads goroutines
// for -duration, the way a Go service using database/sql with its defaults does it:
// db.QueryRow(query, id) on a *sql.DB, with go-sql-driver/mysql's default interpolateParams=false.
// The driver then refuses the parameterized query as text (driver.ErrSkip) and database/sql runs it
// as a binary prepared statement on the connection it picked: COM_STMT_PREPARE, COM_STMT_EXECUTE,
// COM_STMT_CLOSE, for every single query. The pool allows -threads open and -threads idle
// connections (SetMaxOpenConns / SetMaxIdleConns), and is filled before the clock starts.
//
// Every answer is checked: the row of id N must be "value-N" (a wrong or missing row counts as an
// error). The result goes to stdout as JSON (queries, errors, first_errors, qps, p50_us, p99_us,
// ...); progress and failures to stderr. Exit status 1 only for a bad setup (flags, or no
// connection at all before the run); query errors are reported in the JSON.
package main

import (
	"context"
	"database/sql"
	"flag"
	"time"
)

type preparedResult struct {
	Addr    string `json:"addr"`
	Threads int    `json:"threads"`
	loadStats
	FirstErrors     []string `json:"first_errors"`
	OpenConnections int      `json:"open_connections"` // db.Stats() at the end
}

type preparedOptions struct {
	commonOptions
	threads int
}

func preparedMode(fs *flag.FlagSet) func() {
	o := &preparedOptions{}
	o.register(fs, commonDefaults{10 * time.Second, 10 * time.Second, "limit for opening the pool's connections"})
	fs.IntVar(&o.threads, "threads", 8, "concurrent goroutines (and pool size)")
	return func() {
		o.check()
		if o.threads < 1 || o.duration <= 0 {
			fatalf("bad flags: -threads >= 1, -duration > 0")
		}
		runPrepared(o)
	}
}

// fillPool opens the pool's connections (COM_PING only, no statements) so that the timed run does
// not include the handshakes; they return to the pool as idle connections.
func fillPool(o *preparedOptions, db *sql.DB) {
	ctx, cancel := context.WithTimeout(context.Background(), o.connectTimeout)
	defer cancel()
	conns := make([]*sql.Conn, 0, o.threads)
	for i := 0; i < o.threads; i++ {
		c, err := db.Conn(ctx)
		if err == nil {
			err = c.PingContext(ctx)
		}
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			fatalf("opening connection %d of %d to %s: %v", i+1, o.threads, o.addr, err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close() // back to the pool (MaxIdleConns = threads keeps it)
	}
}

func runPrepared(o *preparedOptions) {
	db := openDB(&o.commonOptions, false) // prepare/execute/close per query
	defer db.Close()
	db.SetMaxOpenConns(o.threads)
	db.SetMaxIdleConns(o.threads)
	fillPool(o, db)
	logf("%d connections to %s open; running %v", o.threads, o.addr, o.duration)

	sel := newPointSelect("bench_ps", true)
	// database/sql: Prepare + Exec on one pooled connection, then Close of the statement.
	run := runLoad(o.threads, o.duration, o.rows, func(_, id int) error { return sel.run(db, id) }, nil)
	r := preparedResult{
		Addr:            o.addr,
		Threads:         o.threads,
		loadStats:       run.loadStats,
		FirstErrors:     run.firstErrors,
		OpenConnections: db.Stats().OpenConnections,
	}
	logf("%d queries (%.0f/s), %d errors", r.Queries, r.QPS, r.Errors)
	printJSON(r)
}
