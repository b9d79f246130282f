// Package drift decides which drift counts: it parses ignore rules (the
// per-repository .stackview/drift-ignore.toml and the same entries from the
// user config), matches them against a stack's drifted resources and
// attributes, and rewrites Stack.Drift so that every view — tree markers,
// tab counts, the inbox — counts the same resources.
package drift
