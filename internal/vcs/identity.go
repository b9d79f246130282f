package vcs

// TestIdentity is an explicit author and committer for commits made by
// tests and by the sandbox, so they never depend on the user's git config.
func TestIdentity() []string {
	return []string{
		"GIT_AUTHOR_NAME=stackview", "GIT_AUTHOR_EMAIL=stackview@example.invalid",
		"GIT_COMMITTER_NAME=stackview", "GIT_COMMITTER_EMAIL=stackview@example.invalid",
	}
}
