package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/stackview/stackview/internal/backend/sandbox"
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
func serve(ctx context.Context, n int, stdin io.Reader, stdout io.Writer) error {
	start := time.Now()
	eng, err := sandbox.New(ctx, sandbox.Options{Stacks: n})
	if err != nil {
		return err
	}
	defer eng.Close()
	build := time.Since(start)
	srv, err := spaceliftapi.New(eng, spaceliftapi.Options{})
	if err != nil {
		return err
	}
	if _, err := srv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer srv.Close()
	tsrv := tfcapi.New(eng, tfcapi.Options{})
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
func startServer(ctx context.Context, n int, profile string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"-serve", strconv.Itoa(n)}
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
