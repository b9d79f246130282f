package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
	"github.com/stackview/stackview/internal/backend/sandbox/faults"
	"github.com/stackview/stackview/internal/backend/sandbox/spaceliftapi"
	"github.com/stackview/stackview/internal/backend/sandbox/tfcapi"
)

// endpoints is what the server process tells the measuring process.
type endpoints struct {
	Stacks         int           `json:"stacks"`
	Build          time.Duration `json:"build"`
	SpaceliftURL   string        `json:"spacelift_url"`
	SpaceliftKeyID string        `json:"spacelift_key_id"`
	SpaceliftKey   string        `json:"spacelift_key"`
	TFCURL         string        `json:"tfc_url"`
	TFCToken       string        `json:"tfc_token"`
	TFCOrg         string        `json:"tfc_org"`
}

// serve builds a sandbox of n stacks, serves both dialects on loopback,
// writes its endpoints as one JSON line and serves until stdin closes.
// It runs in a process of its own so the measuring process's heap and
// allocation figures are the client's alone.
func serve(ctx context.Context, n int, latency time.Duration, stdin io.Reader, stdout io.Writer) error {
	start := time.Now()
	eng, err := sandbox.New(ctx, sandbox.Options{Stacks: n})
	if err != nil {
		return err
	}
	defer eng.Close()
	build := time.Since(start)
	// --latency: every request waits, in both dialects, through the fault
	// middleware's wait (as `stackview sandbox serve --latency`).
	delay := func(d faults.Dialect) func(http.Handler) http.Handler {
		if latency == 0 {
			return nil
		}
		return faults.New(faults.Options{Dialect: d, Every: latency}).Wrap
	}
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{Middleware: delay(faults.Spacelift)})
	if err != nil {
		return err
	}
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	tsrv := tfcapi.New(eng, tfcapi.Options{Middleware: delay(faults.TFC)})
	if _, err := tsrv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer tsrv.Close()
	stacks, err := eng.ListStacks(ctx)
	if err != nil {
		return err
	}
	ep := endpoints{
		Stacks: len(stacks), Build: build,
		SpaceliftURL: srv.BaseURL(), SpaceliftKeyID: srv.APIKeyID(), SpaceliftKey: srv.APIKeySecret(),
		TFCURL: tsrv.BaseURL(), TFCToken: tsrv.Token(), TFCOrg: tsrv.Organization(),
	}
	if err := json.NewEncoder(stdout).Encode(ep); err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, stdin)
	return err
}

// server is a running server process.
type server struct {
	cmd   *exec.Cmd
	stdin io.Closer
	ep    endpoints
}

// startServer runs this program in serve mode for n stacks and waits for
// its endpoints.
func startServer(ctx context.Context, n int, profile string, latency time.Duration) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve", strconv.Itoa(n), "-latency", latency.String()}
	if profile != "" {
		args = append(args, "-cpuprofile", profile)
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stdin: stdin}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &s.ep)
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("sandbox server for %d stacks: %w", n, err)
	}
	return s, nil
}

// stop closes the server's stdin, which ends it, and waits.
func (s *server) stop() error {
	return errors.Join(s.stdin.Close(), s.cmd.Wait())
}

// cpu is the CPU time the server process has used so far (user and
// system), from /proc; 0 where there is none.
func (s *server) cpu() time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from its ")".
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is Linux's USER_HZ, the unit of /proc's CPU times.
const clockTicks = 100

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage is the one-minute load average, -1 where there is none.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	v, err := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	if err != nil {
		return -1
	}
	return v
}
