package spaceliftapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// claims is the JWT payload. Field names follow what real Spacelift tokens
// carry; clients read aud[0] (unverified) as the endpoint of a raw token.
type claims struct {
	Audience  []string `json:"aud"`
	Subject   string   `json:"sub"`
	Issuer    string   `json:"iss"`
	ID        string   `json:"jti"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	ExpiresAt int64    `json:"exp"`
	Admin     bool     `json:"adm"`
}

var errBadToken = errors.New("invalid token")

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// mint signs a token for subject valid from now for ttl.
func (s *Server) mint(subject string, now time.Time, ttl time.Duration) (string, time.Time, error) {
	exp := now.Add(ttl)
	c := claims{
		Audience:  []string{s.BaseURL()},
		Subject:   subject,
		Issuer:    "stackview-sandbox",
		ID:        randomHex(13),
		IssuedAt:  now.Unix(),
		NotBefore: now.Unix(),
		ExpiresAt: exp.Unix(),
		Admin:     true,
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("encode token claims: %w", err)
	}
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + s.sign(unsigned), exp, nil
}

func (s *Server) sign(unsigned string) string {
	m := hmac.New(sha256.New, s.signingKey)
	m.Write([]byte(unsigned))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify checks the signature, the audience and the expiry of token.
func (s *Server) verify(token string, now time.Time) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return claims{}, errBadToken
	}
	want := s.sign(parts[0] + "." + parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return claims{}, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, errBadToken
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return claims{}, errBadToken
	}
	if now.Unix() >= c.ExpiresAt || len(c.Audience) != 1 || c.Audience[0] != s.BaseURL() {
		return claims{}, errBadToken
	}
	return c, nil
}

// randomHex returns n random bytes in hex; crypto/rand never fails on
// supported platforms (Go 1.24+ crashes the program instead of returning).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
