package vcs

import "context"

// With runs fn on the locked clone of url (opened, so fetched) and
// releases it.
func (c *Cache) With(ctx context.Context, url string, fn func(*Clone) error) error {
	cl, err := c.Open(ctx, url)
	if err != nil {
		return err
	}
	defer cl.Close()
	return fn(cl)
}
