// multiplex_client: the load generator of bench/multiplex_bench.sh.
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
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
)

const maxErrorKinds = 5

// errorLog counts errors by message and keeps the first few distinct messages in arrival order.
type errorLog struct {
	mu     sync.Mutex
	total  int64
	counts map[string]int
	order  []string
}

func newErrorLog() *errorLog { return &errorLog{counts: map[string]int{}} }

func (l *errorLog) add(err error) {
	msg := err.Error()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	if _, seen := l.counts[msg]; !seen {
		l.order = append(l.order, msg)
	}
	l.counts[msg]++
}

// first returns up to maxErrorKinds entries "COUNTx MESSAGE", first seen first.
func (l *errorLog) first() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []string{}
	for i, msg := range l.order {
		if i == maxErrorKinds {
			out = append(out, fmt.Sprintf("... and %d more distinct errors", len(l.order)-maxErrorKinds))
			break
		}
		out = append(out, fmt.Sprintf("%dx %s", l.counts[msg], msg))
	}
	return out
}

type connectResult struct {
	Clients        int      `json:"clients"`
	Connected      int      `json:"connected"`
	Failed         int      `json:"failed"`
	ConnectSeconds float64  `json:"connect_seconds"`
	FirstErrors    []string `json:"first_errors"`
}

type activeResult struct {
	Active           int      `json:"active"`
	DurationSeconds  float64  `json:"duration_seconds"`
	Queries          int64    `json:"queries"`
	Errors           int64    `json:"errors"`
	QPS              float64  `json:"qps"`
	P50us            int64    `json:"p50_us"`
	P99us            int64    `json:"p99_us"`
	MaxUs            int64    `json:"max_us"`
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

type options struct {
	addr, user, password, db string
	clients, active, rows    int
	rampupBatch              int
	rampupPause              time.Duration
	duration                 time.Duration
	connectTimeout           time.Duration
	queryTimeout             time.Duration
	controlDir               string
	waitTimeout              time.Duration
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:6033", "proxy address host:port")
	flag.StringVar(&o.user, "user", "app", "user")
	flag.StringVar(&o.password, "password", "", "password")
	flag.StringVar(&o.db, "db", "rwtest", "database")
	flag.IntVar(&o.clients, "clients", 10000, "client connections to open")
	flag.IntVar(&o.active, "active", 300, "clients that run point-selects during the active phase")
	flag.IntVar(&o.rows, "rows", 10000, "ids are drawn from 1..rows")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "length of the active phase")
	flag.IntVar(&o.rampupBatch, "rampup-batch", 500, "connections opened concurrently per batch")
	flag.DurationVar(&o.rampupPause, "rampup-pause", 100*time.Millisecond, "pause between batches")
	flag.DurationVar(&o.connectTimeout, "connect-timeout", 20*time.Second, "limit for connect + first SELECT 1")
	flag.DurationVar(&o.queryTimeout, "query-timeout", 30*time.Second, "socket read/write timeout of a query")
	flag.StringVar(&o.controlDir, "control-dir", "", "directory for the handshake files (empty: no waiting)")
	flag.DurationVar(&o.waitTimeout, "wait-timeout", 30*time.Minute, "longest wait for a control file")
	flag.Parse()
	if o.clients < 0 || o.active < 0 || o.rows < 1 || o.rampupBatch < 1 {
		fatalf("bad flags: -clients and -active >= 0, -rows and -rampup-batch >= 1")
	}
	return o
}

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "multiplex_client: "+format+"\n", args...)
}

func fatalf(format string, args ...interface{}) {
	logf("error: "+format, args...)
	os.Exit(1)
}

func writeFileAtomically(path string, v interface{}) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fatalf("%v", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		fatalf("%v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		fatalf("%v", err)
	}
}

// signalAndWait writes NAME.json (if v != nil) to the control dir and waits for the file WAITFOR.
func signalAndWait(o options, name string, v interface{}, waitFor string) {
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

func openDB(o options) *sql.DB {
	cfg := mysql.NewConfig()
	cfg.User = o.user
	cfg.Passwd = o.password
	cfg.Net = "tcp"
	cfg.Addr = o.addr
	cfg.DBName = o.db
	cfg.InterpolateParams = true // text protocol with the ids in the SQL: no prepared statements
	cfg.Timeout = o.connectTimeout
	cfg.ReadTimeout = o.queryTimeout // idle connections do not read, so this only bounds queries
	cfg.WriteTimeout = o.queryTimeout
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		fatalf("%v", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(0) // no limit: every client holds its own connection
	db.SetMaxIdleConns(0)
	db.SetConnMaxLifetime(0)
	return db
}

// connectAll opens the clients' connections in batches; conns[i] is nil for a client that failed.
func connectAll(o options, db *sql.DB) ([]*sql.Conn, connectResult) {
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

func percentile(sorted []int64, p int) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := len(sorted) * p / 100
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

// runActive runs the point-selects on `active` connected clients spread evenly over all of them.
func runActive(o options, conns []*sql.Conn) activeResult {
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

	errs := newErrorLog()
	latencies := make([][]int64, n)
	var lost int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for k, c := range workers {
		wg.Add(1)
		go func(k int, c *sql.Conn) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(time.Now().UnixNano() + int64(k)))
			lat := make([]int64, 0, 8192)
			var v string
			for {
				select {
				case <-stop:
					latencies[k] = lat
					return
				default:
				}
				id := rng.Intn(o.rows) + 1
				t0 := time.Now()
				// No context deadline: cancelling a query kills its connection; cfg.ReadTimeout bounds it.
				err := c.QueryRowContext(context.Background(), "SELECT v FROM bench_mux WHERE id = ?", id).Scan(&v)
				elapsed := time.Since(t0)
				if err != nil {
					if errors.Is(err, sql.ErrNoRows) {
						err = fmt.Errorf("no row for id %d (is bench_mux filled on every server?)", id)
					}
					errs.add(err)
					if isConnectionError(err) {
						atomic.AddInt64(&lost, 1)
						latencies[k] = lat
						return
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				lat = append(lat, elapsed.Microseconds())
			}
		}(k, c)
	}
	time.Sleep(o.duration)
	close(stop)
	wg.Wait()
	wall := time.Since(start).Seconds()

	var all []int64
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := activeResult{
		Active:           n,
		DurationSeconds:  wall,
		Queries:          int64(len(all)),
		Errors:           errs.total,
		P50us:            percentile(all, 50),
		P99us:            percentile(all, 99),
		LostActive:       int(lost),
		FirstQueryErrors: errs.first(),
	}
	if len(all) > 0 {
		r.MaxUs = all[len(all)-1]
	}
	if wall > 0 {
		r.QPS = float64(r.Queries) / wall
	}
	return r
}

// checkAll runs SELECT 1 on every connected client (batches of rampup-batch at a time).
func checkAll(o options, conns []*sql.Conn) (alive, failed int, first []string) {
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

func main() {
	o := parseFlags()
	db := openDB(o)

	logf("opening %d connections to %s in batches of %d", o.clients, o.addr, o.rampupBatch)
	conns, cr := connectAll(o, db)
	logf("connect phase: %d connected, %d failed in %.1fs", cr.Connected, cr.Failed, cr.ConnectSeconds)
	signalAndWait(o, "ready", cr, "start")

	ar := runActive(o, conns)
	logf("active phase: %d clients for %.1fs: %d queries (%.0f/s), %d errors, p50 %dus, p99 %dus", ar.Active, ar.DurationSeconds, ar.Queries, ar.QPS, ar.Errors,
		ar.P50us, ar.P99us)
	signalAndWait(o, "active", ar, "finish")

	alive, failed, first := checkAll(o, conns)
	logf("final check: %d connections answer SELECT 1, %d fail", alive, failed)
	out, err := json.MarshalIndent(finalResult{cr, ar, alive, failed, first}, "", "  ")
	if err != nil {
		fatalf("%v", err)
	}
	fmt.Println(string(out))

	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	db.Close()
}
