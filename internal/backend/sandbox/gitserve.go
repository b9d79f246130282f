package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/model"
	"github.com/stackview/stackview/internal/vcs"
)

// ServeGit serves the sandbox's repositories over git's smart HTTP protocol
// (`git http-backend`) on a free loopback port, the way a forge does:
// <base>/<org>/<name>.git, fetches and pushes, no credentials. From then on
// stacks and modules name their repository by that URL, so clients meet
// http clone URLs as on a real host. It starts once and returns the base
// URL; Close stops it.
func (e *Engine) ServeGit() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.git != nil {
		return e.gitBase, nil
	}
	bin, err := exec.LookPath("git")
	if err != nil {
		return "", vcs.ErrGitNotFound
	}
	ln, err := ListenLoopback("127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox git server: %w", err)
	}
	root := filepath.Join(e.dir, "repos")
	byBase := map[string]string{}
	for _, r := range e.repos {
		byBase[path.Base(r.name)] = r.name
	}
	backend := &cgi.Handler{Path: bin, Args: []string{"http-backend"}, Dir: root, Env: []string{
		"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
		// Anonymous pushes, as the sandbox has no users to authenticate.
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true",
	}}
	org := e.org
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: LoopbackHosts(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/"+org+"/")
		base, tail, found := strings.Cut(rest, ".git")
		name, known := byBase[base]
		if !ok || !found || !known || (tail != "" && !strings.HasPrefix(tail, "/")) {
			http.NotFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name + ".git" + tail
		backend.ServeHTTP(w, r2)
	}))}
	e.git, e.gitBase = srv, "http://"+ln.Addr().String()
	for _, r := range e.repos {
		r.ident = r.identity(org, e.gitBase)
	}
	for _, m := range e.modules {
		m.Repo = m.repo.ident.URL
	}
	go func() { _ = srv.Serve(ln) }()
	return e.gitBase, nil
}

// stopGit stops the git server, if ServeGit started one. Callers hold e.mu.
func (e *Engine) stopGit() error {
	if e.git == nil {
		return nil
	}
	err := e.git.Close()
	e.git = nil
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// identity is how stacks and modules name a repository: through the git
// server at base when one serves it, else by its path on disk.
func (r *repository) identity(org, base string) model.Repository {
	name := path.Base(r.name)
	if base == "" {
		return model.Repository{Provider: "git", Namespace: org, Name: name, URL: r.url()}
	}
	web := base + "/" + org + "/" + name
	host := strings.TrimPrefix(base, "http://")
	return model.Repository{Provider: "git", Host: host, Namespace: org, Name: name, URL: web + ".git", WebURL: web}
}
