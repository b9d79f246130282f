package vcs

import (
	"slices"
	"testing"
)

func TestProgressWriter(t *testing.T) {
	var got []string
	w := &progressWriter{report: func(m string) { got = append(got, m) }, prefix: "cloning payments.git"}
	for _, chunk := range []string{
		"\n", // an empty line first
		"remote: Enumerating objects: 12, done.\nremote: Counting objects:  50% (6/12)\rremote: Counting",
		" objects: 100% (12/12), done.\n",
		"Receiving objects:  45% (450/1000)\rReceiving objects:  45% (451/1000)\r",
		"Receiving objects: 100% (1000/1000), 2.1 MiB | 3 MiB/s, done.\nResolving deltas: 100% (3/3), done.\n",
	} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"cloning payments.git: counting objects 50%", "cloning payments.git: counting objects 100%",
		"cloning payments.git: receiving objects 45%", "cloning payments.git: receiving objects 100%",
		"cloning payments.git: resolving deltas 100%",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("progress =\n%q\nwant\n%q", got, want)
	}
}
