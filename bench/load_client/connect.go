// Mode connect (bench/connect_bench.sh).
//
// Connection churn, the way a PHP application uses its database: every web request connects,
// runs one or a few queries and disconnects. Each of -threads goroutines loops for -duration:
//
//	open a new connection    one TCP connection and one MySQL handshake (with the database)
//	-queries point selects   `SELECT v FROM bench_connect WHERE id = ?`, random ids in 1..-rows,
//	                         as text queries (interpolateParams: no server-side prepare)
//	close it                 COM_QUIT and the socket closed by the client (so the client side's
//	                         port is the one left in TIME_WAIT)
//
// No pooling: one *sql.DB with SetMaxIdleConns(0) and no open limit, so db.Conn dials a new
// connection every time (database/sql opens it on the calling goroutine) and Conn.Close closes it
// at once instead of keeping it idle; max_idle_closed in the JSON (database/sql's count of
// connections closed that way) equals connections + the iterations that failed after connecting.
//
// Every answer is checked (the row of id N must be "value-N"). An iteration that fails (connect or
// query) counts as one error, its connection is closed and the goroutine pauses 10 ms. The JSON on
// stdout: connections (completed iterations), connections_per_s, queries, qps, errors,
// first_errors, p50_us / p99_us / max_us of a whole iteration (connect + queries + close), and
// connect_p50_us / connect_p99_us (dial + handshake alone). Progress and failures go to stderr;
// exit status 1 only for a bad setup (flags, or no connection at all in a first try).
package main

import (
	"context"
	"database/sql"
	"flag"
	"math/rand"
	"sort"
	"time"
)

type connectModeResult struct {
	Addr                 string   `json:"addr"`
	Threads              int      `json:"threads"`
	QueriesPerConnection int      `json:"queries_per_connection"`
	DurationSeconds      float64  `json:"duration_seconds"`
	Connections          int64    `json:"connections"` // iterations that connected, queried and closed without error
	ConnectionsPerSecond float64  `json:"connections_per_s"`
	Queries              int64    `json:"queries"` // connections * queries_per_connection
	QPS                  float64  `json:"qps"`
	Errors               int64    `json:"errors"` // failed iterations
	FirstErrors          []string `json:"first_errors"`
	P50us                int64    `json:"p50_us"` // one iteration: connect + queries + close
	P99us                int64    `json:"p99_us"`
	MaxUs                int64    `json:"max_us"`
	ConnectP50us         int64    `json:"connect_p50_us"` // dial + handshake
	ConnectP99us         int64    `json:"connect_p99_us"`
	MaxIdleClosed        int64    `json:"max_idle_closed"` // db.Stats(): closed on release, not pooled
	OpenConnectionsAtEnd int      `json:"open_connections_at_end"`
}

type connectOptions struct {
	commonOptions
	threads, queries int
}

func connectMode(fs *flag.FlagSet) func() {
	o := &connectOptions{}
	o.register(fs, commonDefaults{10 * time.Second, 5 * time.Second, "limit for one connect (dial + handshake)"})
	fs.IntVar(&o.threads, "threads", 16, "concurrent goroutines, each with at most one connection")
	fs.IntVar(&o.queries, "queries", 1, "point selects per connection")
	return func() {
		o.check()
		if o.threads < 1 || o.queries < 1 || o.duration <= 0 {
			fatalf("bad flags: -threads >= 1, -queries >= 1, -duration > 0")
		}
		runConnect(o)
	}
}

// iteration: a new connection, o.queries point selects on it, then close. Returns the time the
// connect took (0 if it failed).
func connectIteration(db *sql.DB, sel pointSelect, o *connectOptions, firstID int, next func() int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), o.connectTimeout)
	t0 := time.Now()
	conn, err := db.Conn(ctx) // MaxIdleConns(0): nothing idle to reuse, so this dials
	connectTime := time.Since(t0)
	cancel()
	if err != nil {
		return 0, err
	}
	defer conn.Close() // not pooled (MaxIdleConns(0)): COM_QUIT and the socket closed
	id := firstID
	for i := 0; i < o.queries; i++ {
		if i > 0 {
			id = next()
		}
		if err := sel.run(conn, id); err != nil {
			return connectTime, err
		}
	}
	return connectTime, nil
}

// newWorkerRands: for each worker, a function drawing the ids of its second and later queries on a
// connection (runLoad draws the first), in 1..rows.
func newWorkerRands(workers, rows int) []func() int {
	out := make([]func() int, workers)
	for k := range out {
		rng := rand.New(rand.NewSource(time.Now().UnixNano() + int64(k)*104729))
		out[k] = func() int { return rng.Intn(rows) + 1 }
	}
	return out
}

func runConnect(o *connectOptions) {
	db := openDB(&o.commonOptions, true) // text queries, arguments interpolated by the driver
	defer db.Close()
	db.SetMaxIdleConns(0) // no pooling: every Conn.Close closes the connection
	db.SetMaxOpenConns(0) // no limit (the goroutines hold at most one each)
	sel := newPointSelect("bench_connect", true)

	// One iteration before the clock: a target that refuses every connection is a setup error.
	if _, err := connectIteration(db, sel, o, 1, func() int { return 1 }); err != nil {
		fatalf("first connection to %s: %v", o.addr, err)
	}
	idleClosedBefore := db.Stats().MaxIdleClosed
	logf("%d goroutines, a new connection each time, %d queries per connection, on %s; running %v",
		o.threads, o.queries, o.addr, o.duration)

	connectLat := make([][]int64, o.threads)
	rngs := newWorkerRands(o.threads, o.rows)
	run := runLoad(o.threads, o.duration, o.rows, func(k, id int) error {
		d, err := connectIteration(db, sel, o, id, rngs[k])
		if d > 0 {
			connectLat[k] = append(connectLat[k], d.Microseconds())
		}
		return err
	}, nil)

	var connects []int64
	for _, l := range connectLat {
		connects = append(connects, l...)
	}
	sort.Slice(connects, func(i, j int) bool { return connects[i] < connects[j] })
	stats := db.Stats()
	r := connectModeResult{
		Addr:                 o.addr,
		Threads:              o.threads,
		QueriesPerConnection: o.queries,
		DurationSeconds:      run.DurationSeconds,
		Connections:          run.Queries, // runLoad counts successful iterations
		ConnectionsPerSecond: run.QPS,
		Queries:              run.Queries * int64(o.queries),
		QPS:                  run.QPS * float64(o.queries),
		Errors:               run.Errors,
		FirstErrors:          run.firstErrors,
		P50us:                run.P50us,
		P99us:                run.P99us,
		MaxUs:                run.MaxUs,
		ConnectP50us:         percentile(connects, 50),
		ConnectP99us:         percentile(connects, 99),
		MaxIdleClosed:        stats.MaxIdleClosed - idleClosedBefore,
		OpenConnectionsAtEnd: stats.OpenConnections,
	}
	logf("%d connections (%.0f/s), %d queries, %d errors", r.Connections, r.ConnectionsPerSecond, r.Queries, r.Errors)
	printJSON(r)
}
