// load_client: the load generator of bench/multiplex_bench.sh, bench/prepared_bench.sh and
// bench/connect_bench.sh.
//
//	load_client multiplex [flags]   many mostly idle connections, a few running point-selects
//	load_client prepared [flags]    point-selects as database/sql prepared statements
//	load_client connect [flags]     connection churn: connect, -queries point-selects, close, again
//
// All modes run `SELECT v FROM <table> WHERE id = ?` with random ids in 1..-rows from several
// goroutines for -duration (see multiplex.go, prepared.go and connect.go for what differs), print
// one JSON object to stdout and log progress to stderr. `load_client MODE -h` lists the flags of a mode.
//
// Files: main.go (modes, the flags every mode has, the connection setup), stats.go (the timed
// query loop, latency percentiles, error counting, JSON output), multiplex.go, prepared.go,
// connect.go.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A mode registers its own flags on fs and returns the function that runs it once fs is parsed.
type mode func(fs *flag.FlagSet) (run func())

var modes = map[string]mode{
	"connect":   connectMode,
	"multiplex": multiplexMode,
	"prepared":  preparedMode,
}

// logPrefix is "load_client MODE: " once the mode is known.
var logPrefix = "load_client: "

func logf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, logPrefix+format+"\n", args...)
}

func fatalf(format string, args ...interface{}) {
	logf("error: "+format, args...)
	os.Exit(1)
}

// commonOptions are the flags of every mode.
type commonOptions struct {
	addr, user, password, db string
	rows                     int
	duration                 time.Duration
	connectTimeout           time.Duration
	queryTimeout             time.Duration
}

// commonDefaults are the defaults that differ between modes.
type commonDefaults struct {
	duration, connectTimeout time.Duration
	connectTimeoutUsage      string
}

func (o *commonOptions) register(fs *flag.FlagSet, d commonDefaults) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:6033", "server or proxy address host:port")
	fs.StringVar(&o.user, "user", "app", "user")
	fs.StringVar(&o.password, "password", "", "password")
	fs.StringVar(&o.db, "db", "rwtest", "database")
	fs.IntVar(&o.rows, "rows", 10000, "ids are drawn from 1..rows")
	fs.DurationVar(&o.duration, "duration", d.duration, "length of the timed query phase")
	fs.DurationVar(&o.connectTimeout, "connect-timeout", d.connectTimeout, d.connectTimeoutUsage)
	fs.DurationVar(&o.queryTimeout, "query-timeout", 30*time.Second, "socket read/write timeout of a query")
}

// check exits on a bad common flag; a mode checks its own flags after it.
func (o *commonOptions) check() {
	if o.rows < 1 {
		fatalf("bad flags: -rows >= 1")
	}
}

// openDB returns a *sql.DB on the target; the caller sets the pool limits. interpolate: the driver
// sends parameterized queries as text with the arguments in the SQL (no prepared statements);
// without it database/sql prepares, executes and closes a statement for every such query.
func openDB(o *commonOptions, interpolate bool) *sql.DB {
	cfg := mysql.NewConfig()
	cfg.User = o.user
	cfg.Passwd = o.password
	cfg.Net = "tcp"
	cfg.Addr = o.addr
	cfg.DBName = o.db
	cfg.InterpolateParams = interpolate
	cfg.Timeout = o.connectTimeout
	cfg.ReadTimeout = o.queryTimeout // idle connections do not read, so this only bounds queries
	cfg.WriteTimeout = o.queryTimeout
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		fatalf("%v", err)
	}
	return sql.OpenDB(connector)
}

func usage() {
	names := make([]string, 0, len(modes))
	for name := range modes {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(os.Stderr, "usage: load_client %s [flags]   (load_client MODE -h: the flags)\n",
		strings.Join(names, "|"))
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	name := os.Args[1]
	m, ok := modes[name]
	if !ok {
		usage()
	}
	logPrefix = "load_client " + name + ": "
	fs := flag.NewFlagSet("load_client "+name, flag.ExitOnError)
	run := m(fs)
	fs.Parse(os.Args[2:]) // ExitOnError: exits on a bad flag
	if fs.NArg() > 0 {
		fatalf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	run()
}
