package spaceliftapi

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/model"
)

// The web links clients build (<base>/stack/<id>, <base>/stack/<id>/run/<id>)
// open a plain page in the browser, standing in for Spacelift's web UI. The
// sandbox's demo data is not secret and the server is loopback-only, so the
// pages need no login.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Stack.Name}} · stackview sandbox</title></head>
<body style="font-family: monospace">
<p>stackview sandbox (Spacelift dialect)</p>
<h1>{{.Stack.Name}}</h1>
<p>state {{.Stack.State}} · branch {{.Stack.Branch}} · tracked commit {{.Stack.TrackedCommit}}</p>
{{with .Run}}<h2>run {{.ID}}</h2>
<p>{{.Kind}} · {{.State}} · commit {{.Commit}}{{with .Delta}} · +{{.Add}} ~{{.Change}} -{{.Destroy}}{{end}}</p>
<ul>{{range .History}}<li>{{.At.UTC.Format "2006-01-02 15:04:05"}} {{.State}} {{.Note}}</li>{{end}}</ul>{{end}}
</body></html>
`))

type pageData struct {
	Stack model.Stack
	Run   *model.Run
}

func (s *Server) serveStackPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	data := pageData{}
	st, err := s.findStack(ctx, r.PathValue("stack"))
	if err == nil && r.PathValue("run") != "" {
		var run model.Run
		run, err = s.engine.GetRun(ctx, st.ID, r.PathValue("run"))
		data.Run = &run
	}
	var ae apiError
	switch {
	case errors.Is(err, backend.ErrNotFound) || (errors.As(err, &ae) && ae.code == "NOT_FOUND"):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, "sandbox error", http.StatusInternalServerError)
		return
	}
	data.Stack = st
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, data)
}
