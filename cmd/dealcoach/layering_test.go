package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// module is the import path every package of dealcoach starts with.
const module = "github.com/dealcoach/dealcoach"

// adapters are the chat platforms' packages: each imports the core and the
// shared adapter plumbing, never the store or another adapter.
var adapters = []string{module + "/bot/slack", module + "/bot/lark", module + "/bot/console"}

// listed is what the layering rules need of one package from `go list`.
type listed struct {
	ImportPath string
	Standard   bool
	Imports    []string // direct, non-test imports
	Deps       []string // every package it needs to build, transitively
}

// TestLayering checks the dependency rules of ARCHITECTURE.md ("Layering
// rules") on the real module: coach imports the standard library only,
// adapters never import the store or each other, the store imports nothing
// of the chat core or the catalogues, and prompts nothing of the chat core
// or the store. Test files are not checked: a test may reach a real store
// or another layer's fixtures.
func TestLayering(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH:", err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs, err := decodeList(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pkgs[module+"/coach"]; !ok {
		t.Fatalf("go list did not list %s/coach: the check would check nothing", module)
	}
	for _, v := range layerViolations(pkgs) {
		t.Error(v)
	}
}

// decodeList reads the stream of JSON objects `go list -json` prints.
func decodeList(b []byte) (map[string]listed, error) {
	pkgs := map[string]listed{}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var p listed
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		pkgs[p.ImportPath] = p
	}
}

// layerViolations lists every broken rule, one sentence each, naming the
// package and the import that breaks it.
func layerViolations(pkgs map[string]listed) []string {
	var out []string
	coach := pkgs[module+"/coach"]
	for _, imp := range coach.Imports {
		if !pkgs[imp].Standard {
			out = append(out, "coach imports "+imp+": coach may import the standard library only")
		}
	}
	for _, dep := range coach.Deps {
		if !pkgs[dep].Standard && !slices.Contains(coach.Imports, dep) {
			out = append(out, "coach depends on "+dep+" (through "+through(pkgs, coach, dep)+
				"): coach may import the standard library only")
		}
	}
	for _, a := range adapters {
		for _, imp := range pkgs[a].Imports {
			switch {
			case within(imp, module+"/store"):
				out = append(out, a+" imports "+imp+": adapters reach the store through bot and the adapter plumbing (bot/adapter/work, bot/adapter/outbox)")
			case !within(imp, a) && slices.ContainsFunc(adapters, func(other string) bool { return within(imp, other) }):
				out = append(out, a+" imports "+imp+": adapters never import each other")
			}
		}
	}
	for path, p := range pkgs {
		for _, dep := range p.Deps {
			switch {
			case within(path, module+"/store") && (within(dep, module+"/bot") || within(dep, module+"/prompts")):
				out = append(out, path+" depends on "+dep+" (through "+through(pkgs, p, dep)+
					"): the store knows nothing of the chat core or the catalogues")
			case within(path, module+"/prompts") && (within(dep, module+"/bot") || within(dep, module+"/store")):
				out = append(out, path+" depends on "+dep+" (through "+through(pkgs, p, dep)+
					"): prompts is data decoded into coach's types, a leaf the adapters may import")
			}
		}
	}
	slices.Sort(out)
	return out
}

// within reports whether path is pkg or one of its sub-packages.
func within(path, pkg string) bool { return path == pkg || strings.HasPrefix(path, pkg+"/") }

// through names the direct import of p that brings dep in.
func through(pkgs map[string]listed, p listed, dep string) string {
	for _, imp := range p.Imports {
		if imp == dep || slices.Contains(pkgs[imp].Deps, dep) {
			return imp
		}
	}
	return "?"
}

// TestLayerViolations: each rule names the package and the import that
// breaks it.
func TestLayerViolations(t *testing.T) {
	std := func(path string) listed { return listed{ImportPath: path, Standard: true} }
	pkgs := map[string]listed{}
	for _, p := range []listed{
		std("fmt"), std("os"),
		{ImportPath: "gopkg.in/yaml.v3", Imports: []string{"fmt"}, Deps: []string{"fmt"}},
		{ImportPath: module + "/prompts", Imports: []string{"gopkg.in/yaml.v3", "os", module + "/store"},
			Deps: []string{"fmt", "gopkg.in/yaml.v3", "os", module + "/store", module + "/bot", module + "/coach"}},
		{ImportPath: module + "/coach", Imports: []string{"fmt", module + "/prompts"},
			Deps: []string{"fmt", "gopkg.in/yaml.v3", "os", module + "/prompts"}},
		{ImportPath: module + "/bot", Imports: []string{module + "/coach"}, Deps: []string{module + "/coach"}},
		{ImportPath: module + "/store", Imports: []string{module + "/bot"}, Deps: []string{module + "/bot", module + "/coach"}},
		{ImportPath: module + "/bot/lark", Imports: []string{module + "/bot", module + "/bot/slack", module + "/store"}},
		{ImportPath: module + "/bot/slack", Imports: []string{module + "/bot", module + "/bot/slack/blocks"}},
		{ImportPath: module + "/bot/slack/blocks"},
	} {
		pkgs[p.ImportPath] = p
	}
	want := []string{
		"coach depends on gopkg.in/yaml.v3 (through " + module + "/prompts): coach may import the standard library only",
		"coach imports " + module + "/prompts: coach may import the standard library only",
		module + "/bot/lark imports " + module + "/bot/slack: adapters never import each other",
		module + "/bot/lark imports " + module + "/store: adapters reach the store through bot and the adapter plumbing (bot/adapter/work, bot/adapter/outbox)",
		module + "/prompts depends on " + module + "/bot (through " + module + "/store): prompts is data decoded into coach's types, a leaf the adapters may import",
		module + "/prompts depends on " + module + "/store (through " + module + "/store): prompts is data decoded into coach's types, a leaf the adapters may import",
		module + "/store depends on " + module + "/bot (through " + module + "/bot): the store knows nothing of the chat core or the catalogues",
	}
	if diff := cmp.Diff(want, layerViolations(pkgs)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}
