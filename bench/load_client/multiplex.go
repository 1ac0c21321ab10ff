// Mode multiplex (bench/multiplex_bench.sh).
//
// Opens -clients MySQL connections (exactly one TCP connection per simulated client: one *sql.Conn
// each, taken from a database/sql pool with no open-connection limit), in batches of -rampup-batch
// with a pause of -rampup-pause between batches. Every client runs one `SELECT 1` and then holds its
// connection idle until the end. Then -active of the connected clients (spread evenly over them) run
// `SELECT v FROM bench_mux WHERE id = ?` with random ids in 1..-rows for -duration, as text-protocol
// queries (interpolateParams: the driver sends no prepared statements). At the end every connected
// client runs `SELECT 1` again (idle_alive_after counts the ones that still work).
//
// Handshake with the driving script, through files in -control-dir (no waiting without it):
//
//	client writes ready.json   all connections attempted; the clients are idle (connect results)
//	script creates start       the client starts the active phase
//	client writes active.json  the active phase is over (query results); clients still connected
//	script creates finish      the client checks every connection, prints the JSON and exits
//
// Files the client writes appear atomically (written under another name, then renamed). The final
// JSON (every field of both files, plus the idle check) goes to stdout; progress goes to stderr.
// Waiting for a control file longer than -wait-timeout is an error (exit 1).
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

type connectResult struct {
	Clients        int      `json:"clients"`
	Connected      int      `json:"connected"`
	Failed         int      `json:"failed"`
	ConnectSeconds float64  `json:"connect_seconds"`
	FirstErrors    []string `json:"first_errors"`
}

type activeResult struct {
	Active int `json:"active"`
	loadStats
	LostActive       int      `json:"lost_active"` // active clients whose connection broke (they stopped)
	FirstQueryErrors []string `json:"first_query_errors"`
}

type finalResult struct {
	connectResult
	activeResult
	IdleAliveAfter   int      `json:"idle_alive_after"`
	IdleFailedAfter  int      `json:"idle_failed_after"`
	FirstCheckErrors []string `json:"first_check_errors"`
}

type multiplexOptions struct {
	commonOptions
	clients, active int
	rampupBatch     int
	rampupPause     time.Duration
	controlDir      string
	waitTimeout     time.Duration
}

func multiplexMode(fs *flag.FlagSet) func() {
	o := &multiplexOptions{}
	o.register(fs, commonDefaults{30 * time.Second, 20 * time.Second, "limit for connect + first SELECT 1"})
	fs.IntVar(&o.clients, "clients", 10000, "client connections to open")
	fs.IntVar(&o.active, "active", 300, "clients that run point-selects during the active phase")
	fs.IntVar(&o.rampupBatch, "rampup-batch", 500, "connections opened concurrently per batch")
	fs.DurationVar(&o.rampupPause, "rampup-pause", 100*time.Millisecond, "pause between batches")
	fs.StringVar(&o.controlDir, "control-dir", "", "directory for the handshake files (empty: no waiting)")
	fs.DurationVar(&o.waitTimeout, "wait-timeout", 30*time.Minute, "longest wait for a control file")
	return func() {
		o.check()
		if o.clients < 0 || o.active < 0 || o.rampupBatch < 1 {
			fatalf("bad flags: -clients and -active >= 0, -rampup-batch >= 1")
		}
		runMultiplex(o)
	}
}

func writeFileAtomically(path string, v interface{}) {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(marshalJSON(v), '\n'), 0o644); err != nil {
		fatalf("%v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		fatalf("%v", err)
	}
}

// signalAndWait writes NAME.json to the control dir and waits for the file WAITFOR.
func signalAndWait(o *multiplexOptions, name string, v interface{}, waitFor string) {
	if o.controlDir == "" {
		return
	}
	writeFileAtomically(filepath.Join(o.controlDir, name+".json"), v)
	logf("wrote %s.json; waiting for %s", name, waitFor)
	deadline := time.Now().Add(o.waitTimeout)
	for {
		if _, err := os.Stat(filepath.Join(o.controlDir, waitFor)); err == nil {
			return
		}
		if time.Now().After(deadline) {
			fatalf("no %s file in %s after %v", waitFor, o.controlDir, o.waitTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// connectAll opens the clients' connections in batches; conns[i] is nil for a client that failed.
func connectAll(o *multiplexOptions, db *sql.DB) ([]*sql.Conn, connectResult) {
	conns := make([]*sql.Conn, o.clients)
	errs := newErrorLog()
	var connected int64
	start := time.Now()
	for first := 0; first < o.clients; first += o.rampupBatch {
		last := first + o.rampupBatch
		if last > o.clients {
			last = o.clients
		}
		var wg sync.WaitGroup
		for i := first; i < last; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), o.connectTimeout)
				defer cancel()
				c, err := db.Conn(ctx)
				if err == nil {
					var one int
					if err = c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
						c.Close() // closes the connection: the pool keeps no idle ones
					}
				}
				if err != nil {
					errs.add(err)
					return
				}
				conns[i] = c
				atomic.AddInt64(&connected, 1)
			}(i)
		}
		wg.Wait()
		if last%(o.rampupBatch*4) == 0 || last == o.clients {
			logf("connected %d of %d attempted (%d failed) after %.1fs", atomic.LoadInt64(&connected), last,
				int64(last)-atomic.LoadInt64(&connected), time.Since(start).Seconds())
		}
		if last < o.clients {
			time.Sleep(o.rampupPause)
		}
	}
	r := connectResult{
		Clients:        o.clients,
		Connected:      int(connected),
		Failed:         o.clients - int(connected),
		ConnectSeconds: time.Since(start).Seconds(),
		FirstErrors:    errs.first(),
	}
	return conns, r
}

func isConnectionError(err error) bool {
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, mysql.ErrInvalidConn)
}

// runActive runs the point-selects on `active` connected clients spread evenly over all of them; a
// client whose connection breaks stops (lost_active).
func runActive(o *multiplexOptions, conns []*sql.Conn) activeResult {
	var live []*sql.Conn
	for _, c := range conns {
		if c != nil {
			live = append(live, c)
		}
	}
	n := o.active
	if n > len(live) {
		n = len(live)
	}
	workers := make([]*sql.Conn, 0, n)
	for k := 0; k < n; k++ {
		workers = append(workers, live[k*len(live)/n])
	}
	sel := newPointSelect("bench_mux", false)
	run := runLoad(n, o.duration, o.rows, func(k, id int) error { return sel.run(workers[k], id) },
		isConnectionError)
	return activeResult{
		Active:           n,
		loadStats:        run.loadStats,
		LostActive:       run.stopped,
		FirstQueryErrors: run.firstErrors,
	}
}

// checkAll runs SELECT 1 on every connected client (batches of rampup-batch at a time).
func checkAll(o *multiplexOptions, conns []*sql.Conn) (alive, failed int, first []string) {
	errs := newErrorLog()
	var ok int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, o.rampupBatch)
	for _, c := range conns {
		if c == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(c *sql.Conn) {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), o.connectTimeout)
			defer cancel()
			var one int
			if err := c.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
				errs.add(err)
				return
			}
			atomic.AddInt64(&ok, 1)
		}(c)
	}
	wg.Wait()
	return int(ok), int(errs.total), errs.first()
}

func runMultiplex(o *multiplexOptions) {
	db := openDB(&o.commonOptions, true) // text protocol with the ids in the SQL
	db.SetMaxOpenConns(0)                // no limit: every client holds its own connection
	db.SetMaxIdleConns(0)
	db.SetConnMaxLifetime(0)

	logf("opening %d connections to %s in batches of %d", o.clients, o.addr, o.rampupBatch)
	conns, cr := connectAll(o, db)
	logf("connect phase: %d connected, %d failed in %.1fs", cr.Connected, cr.Failed, cr.ConnectSeconds)
	signalAndWait(o, "ready", cr, "start")

	ar := runActive(o, conns)
	logf("active phase: %d clients for %.1fs: %d queries (%.0f/s), %d errors, p50 %dus, p99 %dus", ar.Active,
		ar.DurationSeconds, ar.Queries, ar.QPS, ar.Errors, ar.P50us, ar.P99us)
	signalAndWait(o, "active", ar, "finish")

	alive, failed, first := checkAll(o, conns)
	logf("final check: %d connections answer SELECT 1, %d fail", alive, failed)
	printJSON(finalResult{cr, ar, alive, failed, first})

	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	db.Close()
}
