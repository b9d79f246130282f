package tfc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/stackview/stackview/internal/bounds"
)

// credential is a token and where it was found. Only the source is ever
// shown; the token never leaves this struct except in the Authorization
// header.
type credential struct {
	token  string
	source string
}

// lookup is the outcome of a token search: the credential, or nothing, and
// the places searched in order (for the error message).
type lookup struct {
	found  *credential
	looked []string
}

// findToken searches, in Terraform's order of precedence: TFE_TOKEN,
// TF_TOKEN_<host>, ~/.terraform.d/credentials.tfrc.json, then credentials
// blocks in the CLI config file (TF_CLI_CONFIG_FILE or ~/.terraformrc).
// host is the API host, with a port when the address has one.
func findToken(host string, env func(string) string, home string) lookup {
	var l lookup
	try := func(source, token string) bool {
		l.looked = append(l.looked, source)
		if t := strings.TrimSpace(token); t != "" {
			l.found = &credential{token: t, source: source}
			return true
		}
		return false
	}
	if try("TFE_TOKEN", env("TFE_TOKEN")) {
		return l
	}
	if name, ok := tokenEnvName(host); ok {
		v := env(name)
		if v == "" {
			v = env(strings.ToUpper(name))
		}
		if try(name, v) {
			return l
		}
	}
	if home != "" {
		path := filepath.Join(home, ".terraform.d", "credentials.tfrc.json")
		token, note := fromCredentialsJSON(path, host)
		if try(path+note, token) {
			return l
		}
	}
	path := env("TF_CLI_CONFIG_FILE")
	if path == "" && home != "" {
		path = filepath.Join(home, ".terraformrc")
	}
	if path != "" {
		token, note := fromCLIConfig(path, host)
		try(path+note, token)
	}
	return l
}

// tokenEnvName is Terraform's TF_TOKEN_<host> variable for host: '-' is
// written "__" and '.' is written '_'. A host with a port, or one that is not
// plain ASCII (Terraform wants punycode there), has no such variable.
func tokenEnvName(host string) (string, bool) {
	if host == "" || strings.ContainsAny(host, ":_") {
		return "", false
	}
	for _, r := range host {
		if r > 0x7e {
			return "", false
		}
	}
	name := strings.ReplaceAll(strings.ToLower(host), "-", "__")
	return "TF_TOKEN_" + strings.ReplaceAll(name, ".", "_"), true
}

// maxCredentialsFile bounds the credential files read.
const maxCredentialsFile = 1 << 20

// fromCredentialsJSON reads the file `terraform login` writes:
// {"credentials": {"<host>": {"token": "…"}}}. The note explains a file that
// exists but could not be used; it never quotes the file.
func fromCredentialsJSON(path, host string) (token, note string) {
	raw, err := bounds.ReadFile(path, maxCredentialsFile)
	if err != nil {
		return "", missingNote(err)
	}
	var doc struct {
		Credentials map[string]struct {
			Token string `json:"token"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", " (not valid JSON)"
	}
	for h, c := range doc.Credentials {
		if strings.EqualFold(h, host) {
			return c.Token, ""
		}
	}
	return "", " (no entry for " + host + ")"
}

// fromCLIConfig reads credentials "<host>" { token = "…" } blocks from the
// CLI config file; other settings in it are ignored.
func fromCLIConfig(path, host string) (token, note string) {
	raw, err := bounds.ReadFile(path, maxCredentialsFile)
	if err != nil {
		return "", missingNote(err)
	}
	if err := bounds.HCL(path, raw); err != nil {
		return "", " (too large or too deeply nested to parse)"
	}
	file, diags := hclsyntax.ParseConfig(raw, path, hcl.InitialPos)
	if diags.HasErrors() {
		return "", fmt.Sprintf(" (could not parse it near line %d)", firstErrorLine(diags))
	}
	content, _, diags := file.Body.PartialContent(&hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{{Type: "credentials", LabelNames: []string{"host"}}},
	})
	if diags.HasErrors() {
		return "", fmt.Sprintf(" (could not read it near line %d)", firstErrorLine(diags))
	}
	for _, b := range content.Blocks {
		if !strings.EqualFold(b.Labels[0], host) {
			continue
		}
		attrs, diags := b.Body.JustAttributes()
		if a, ok := attrs["token"]; ok && !diags.HasErrors() {
			v, diags := a.Expr.Value(nil)
			if !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
				return v.AsString(), ""
			}
		}
		return "", fmt.Sprintf(" (credentials %q has no usable token)", host)
	}
	return "", " (no credentials block for " + host + ")"
}

func missingNote(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return " (not found)"
	}
	return " (unreadable)"
}

// firstErrorLine locates a diagnostic without quoting the source, which may
// hold a token.
func firstErrorLine(diags hcl.Diagnostics) int {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil {
			return d.Subject.Start.Line
		}
	}
	return 0
}
