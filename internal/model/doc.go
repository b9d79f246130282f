// Package model holds stackview's domain types (environments, stacks, runs,
// modules) and the pure logic over them: classifying stacks into the
// environment / business-unit tree, dependency waves and semver ordering.
//
// It imports nothing from the UI, HTTP or git layers, so every backend maps
// onto these types and every view reads only these types.
package model
