package tfmod

import "testing"

// FuzzParseFiles scans arbitrary Terraform: every module call found must
// come from the file given, and no input may panic the scanner or the
// source parser behind it.
func FuzzParseFiles(f *testing.F) {
	f.Add([]byte("module \"vpc\" {\n  source  = \"spacelift.io/acme/vpc/aws\"\n  version = \"~> 1.2\"\n}\n"))
	f.Add([]byte("module \"net\" {\n  source = \"git::https://git.example/net.git//sub?ref=v2.0.0\"\n}\n"))
	f.Add([]byte("module \"x\" {\n  source = \"a\"\n  oops = \n}\n"))
	f.Add([]byte("module \"y\" {\n  source = \"${var.x}\"\n  version = var.v\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		calls, _ := ParseFiles(map[string][]byte{"main.tf": src})
		for _, c := range calls {
			if c.File != "main.tf" {
				t.Fatalf("call from %q, want main.tf", c.File)
			}
			_ = c.Spec()
			_ = c.Source.Address()
		}
		_, _, _ = BumpFile("main.tf", src, func(Call) bool { return true }, "9.9.9")
	})
}
