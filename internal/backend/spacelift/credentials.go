package spacelift

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackview/stackview/internal/backend"
	"github.com/stackview/stackview/internal/bounds"
)

// credentials is what New found: either a raw token (not renewable) or an
// API key exchanged for tokens. source names where they came from, for
// messages; it never holds a secret.
type credentials struct {
	endpoint  string
	token     string
	keyID     string
	keySecret string
	source    string
}

// profileFile is spacectl's ~/.spacelift/config.json.
type profileFile struct {
	CurrentProfileAlias string `json:"currentProfileAlias"`
	Profiles            map[string]struct {
		Credentials struct {
			Type        int    `json:"type"`
			Endpoint    string `json:"endpoint"`
			KeyID       string `json:"key_id"`
			KeySecret   string `json:"key_secret"`
			AccessToken string `json:"access_token"`
		} `json:"credentials"`
	} `json:"profiles"`
}

// spacectl credential types.
const (
	profileAPIKey      = 1
	profileGitHubToken = 2
	profileAPIToken    = 3
)

// resolveCredentials looks, like spacectl, at SPACELIFT_API_TOKEN, then
// SPACELIFT_API_KEY_ENDPOINT/_ID/_SECRET, then the spacectl profile named by
// cfg.Profile or, when empty, the current one. cfg.Endpoint, when set, wins
// over the endpoint each source carries.
func resolveCredentials(cfg Config) (credentials, error) {
	env := cfg.Env
	if env == nil {
		env = os.Getenv
	}
	var c credentials
	switch {
	case env("SPACELIFT_API_TOKEN") != "":
		c = credentials{token: env("SPACELIFT_API_TOKEN"), source: "SPACELIFT_API_TOKEN"}
		aud, err := tokenAudience(c.token)
		if err != nil && cfg.Endpoint == "" {
			return credentials{}, fmt.Errorf("%w: SPACELIFT_API_TOKEN: %v", backend.ErrUnauthorized, err)
		}
		c.endpoint = aud
	case env("SPACELIFT_API_KEY_ID") != "" || env("SPACELIFT_API_KEY_SECRET") != "":
		c = credentials{
			endpoint:  firstNonEmpty(env("SPACELIFT_API_KEY_ENDPOINT"), env("SPACELIFT_API_ENDPOINT")),
			keyID:     env("SPACELIFT_API_KEY_ID"),
			keySecret: env("SPACELIFT_API_KEY_SECRET"),
			source:    "SPACELIFT_API_KEY_ID/SPACELIFT_API_KEY_SECRET",
		}
		if c.keyID == "" || c.keySecret == "" {
			return credentials{}, fmt.Errorf("%w: set both SPACELIFT_API_KEY_ID and SPACELIFT_API_KEY_SECRET", backend.ErrUnauthorized)
		}
	default:
		var err error
		if c, err = profileCredentials(cfg, env); err != nil {
			return credentials{}, err
		}
	}
	if cfg.Endpoint != "" {
		c.endpoint = cfg.Endpoint
	}
	c.endpoint = normalizeEndpoint(c.endpoint)
	if c.endpoint == "" {
		return credentials{}, fmt.Errorf("no Spacelift endpoint: set SPACELIFT_API_KEY_ENDPOINT or the endpoint in the config (credentials from %s)", c.source)
	}
	return c, nil
}

func profileCredentials(cfg Config, env func(string) string) (credentials, error) {
	dir := env("SPACELIFT_CONFIG_DIR")
	if dir == "" {
		home := cfg.HomeDir
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return credentials{}, fmt.Errorf("%w: no Spacelift credentials in the environment and no home directory: %v", backend.ErrUnauthorized, err)
			}
		}
		dir = filepath.Join(home, ".spacelift")
	}
	path := filepath.Join(dir, "config.json")
	raw, err := bounds.ReadFile(path, 1<<20)
	if errors.Is(err, os.ErrNotExist) {
		return credentials{}, fmt.Errorf("%w: no Spacelift credentials: set SPACELIFT_API_KEY_ENDPOINT, SPACELIFT_API_KEY_ID and SPACELIFT_API_KEY_SECRET, or SPACELIFT_API_TOKEN, or run `spacectl profile login`", backend.ErrUnauthorized)
	}
	if err != nil {
		return credentials{}, fmt.Errorf("read spacectl profiles: %w", err)
	}
	var pf profileFile
	if err := json.Unmarshal(raw, &pf); err != nil {
		return credentials{}, fmt.Errorf("parse spacectl profiles %s: %w", path, err)
	}
	alias := firstNonEmpty(cfg.Profile, pf.CurrentProfileAlias)
	p, ok := pf.Profiles[alias]
	if !ok {
		return credentials{}, fmt.Errorf("%w: spacectl profile %q not found in %s", backend.ErrUnauthorized, alias, path)
	}
	pc := p.Credentials
	c := credentials{endpoint: pc.Endpoint, source: fmt.Sprintf("spacectl profile %q", alias)}
	switch pc.Type {
	case profileAPIKey:
		c.keyID, c.keySecret = pc.KeyID, pc.KeySecret
	case profileAPIToken:
		c.token = pc.AccessToken
	case profileGitHubToken:
		return credentials{}, fmt.Errorf("%w: %s uses a GitHub token, which stackview does not support; use an API key", backend.ErrUnsupported, c.source)
	default:
		return credentials{}, fmt.Errorf("%w: %s has unknown credential type %d", backend.ErrUnauthorized, c.source, pc.Type)
	}
	return c, nil
}

// normalizeEndpoint stores the endpoint without /graphql, as spacectl does.
func normalizeEndpoint(e string) string {
	e = strings.TrimRight(strings.TrimSpace(e), "/")
	return strings.TrimRight(strings.TrimSuffix(e, "/graphql"), "/")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// tokenClaims are the JWT claims a client reads, unverified, like spacectl.
type tokenClaims struct {
	Audience []string `json:"aud"`
	Expires  float64  `json:"exp"`
}

func parseToken(tok string) (tokenClaims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return tokenClaims{}, errors.New("not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tokenClaims{}, errors.New("not a JWT: payload is not base64url")
	}
	var c tokenClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		return tokenClaims{}, errors.New("not a JWT: payload is not JSON")
	}
	return c, nil
}

// tokenAudience is the endpoint a raw token belongs to: its single aud.
func tokenAudience(tok string) (string, error) {
	c, err := parseToken(tok)
	if err != nil {
		return "", err
	}
	if len(c.Audience) != 1 {
		return "", fmt.Errorf("token audience has %d entries, want 1", len(c.Audience))
	}
	return c.Audience[0], nil
}

// tokenExpiry is when a raw token expires; zero if it does not say.
func tokenExpiry(tok string) time.Time {
	c, err := parseToken(tok)
	if err != nil || c.Expires == 0 {
		return time.Time{}
	}
	return time.Unix(int64(c.Expires), 0)
}
