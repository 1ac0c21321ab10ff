package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
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

// pointSelect is `SELECT v FROM table WHERE id = ?`; with checkValue the row of id N must be
// "value-N" (the benchmark scripts fill the tables that way).
type pointSelect struct {
	table, query string
	checkValue   bool
}

func newPointSelect(table string, checkValue bool) pointSelect {
	return pointSelect{table, "SELECT v FROM " + table + " WHERE id = ?", checkValue}
}

// rowQuerier is a *sql.Conn (one fixed connection) or a *sql.DB (a pooled one per query).
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...interface{}) *sql.Row
}

func (s pointSelect) run(q rowQuerier, id int) error {
	var v string
	// No context deadline: cancelling a query kills its connection; the driver's read timeout
	// (-query-timeout) bounds it.
	err := q.QueryRowContext(context.Background(), s.query, id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no row for id %d (is %s filled on every server?)", id, s.table)
	}
	if err == nil && s.checkValue && v != "value-"+strconv.Itoa(id) {
		return fmt.Errorf("wrong row: id %d answered %q", id, v)
	}
	return err
}

// loadStats are the JSON fields of a timed query phase that every mode reports.
type loadStats struct {
	DurationSeconds float64 `json:"duration_seconds"`
	Queries         int64   `json:"queries"` // successful (and checked) queries
	Errors          int64   `json:"errors"`
	QPS             float64 `json:"qps"`
	P50us           int64   `json:"p50_us"`
	P99us           int64   `json:"p99_us"`
	MaxUs           int64   `json:"max_us"`
}

// loadRun is the outcome of runLoad; each mode reports firstErrors and stopped under its own keys.
type loadRun struct {
	loadStats
	firstErrors []string
	stopped     int // workers that stopped on a fatal error
}

// runLoad runs query(k, id) in a loop on workers k = 0..workers-1 for d, with random ids in
// 1..rows, and times every query. A failed query is counted (its latency is not) and its worker
// pauses 10ms (no hot loop against a failing target); if fatal(err) the worker stops instead.
func runLoad(workers int, d time.Duration, rows int, query func(k, id int) error,
	fatal func(error) bool) loadRun {
	errs := newErrorLog()
	latencies := make([][]int64, workers)
	var stopped int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(time.Now().UnixNano() + int64(k)*7919))
			lat := make([]int64, 0, 16384)
			defer func() { latencies[k] = lat }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := rng.Intn(rows) + 1
				t0 := time.Now()
				err := query(k, id)
				elapsed := time.Since(t0)
				if err != nil {
					errs.add(err)
					if fatal != nil && fatal(err) {
						atomic.AddInt64(&stopped, 1)
						return
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				lat = append(lat, elapsed.Microseconds())
			}
		}(k)
	}
	time.Sleep(d)
	close(stop)
	wg.Wait()
	wall := time.Since(start).Seconds()

	var all []int64
	for _, l := range latencies {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	r := loadRun{
		loadStats: loadStats{
			DurationSeconds: wall,
			Queries:         int64(len(all)),
			Errors:          errs.total,
			P50us:           percentile(all, 50),
			P99us:           percentile(all, 99),
		},
		firstErrors: errs.first(),
		stopped:     int(stopped),
	}
	if len(all) > 0 {
		r.MaxUs = all[len(all)-1]
	}
	if wall > 0 {
		r.QPS = float64(r.Queries) / wall
	}
	return r
}

func marshalJSON(v interface{}) []byte {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fatalf("%v", err)
	}
	return data
}

// printJSON writes the final result to stdout.
func printJSON(v interface{}) {
	fmt.Println(string(marshalJSON(v)))
}
