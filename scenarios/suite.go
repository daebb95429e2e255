package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"versus/targets"
)

// Suite is a validated suite file.
type Suite struct {
	Name   string
	File   string // path, or "builtin:NAME"
	Trials int
	// Targets are the suite's targets in order.
	Targets []targets.Config
	// CronPeriod overrides targets' cron dispatch period (0: theirs).
	CronPeriod time.Duration
	// SecretEnv names the environment variable holding the webhook
	// secret of targets the harness does not start.
	SecretEnv string
	// MaxSubscribers bounds the WebSocket connections one scenario opens.
	MaxSubscribers int
	// Topology is the suite's network topology (nil: none).
	Topology  *Topology
	Scenarios []Scenario
	// Text is the file as read.
	Text []byte
}

// DefaultSecretEnv is where the secret of an external target is read.
const DefaultSecretEnv = "VERSUS_WEBHOOK_SECRET"

// nullTarget is the harness floor's name, which YAML reads as null.
const nullTarget = "null"

// DefaultMaxSubscribers is the default connection limit of one scenario.
const DefaultMaxSubscribers = 20000

type rawSuite struct {
	Name           string        `yaml:"name"`
	Trials         *int          `yaml:"trials"`
	Targets        []ast.Node    `yaml:"targets"`
	CronPeriod     time.Duration `yaml:"cron_period"`
	SecretEnv      string        `yaml:"secret_env"`
	MaxSubscribers *int          `yaml:"max_subscribers"`
	Topology       ast.Node      `yaml:"topology"`
	Scenarios      []ast.Node    `yaml:"scenarios"`
}

//go:embed suites/*.yaml
var builtinSuites embed.FS

// Builtin lists the names of the suites embedded in the binary.
func Builtin() []string {
	entries, _ := builtinSuites.ReadDir("suites")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// LoadBuiltin parses an embedded suite by name.
func LoadBuiltin(name string) (*Suite, error) {
	b, err := builtinSuites.ReadFile("suites/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in suite %q (built in: %s)", name, strings.Join(Builtin(), ", "))
	}
	return Parse("builtin:"+name, b)
}

// LoadFile parses a suite file.
func LoadFile(path string) (*Suite, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, errors.Unwrap(err))
	}
	return Parse(path, b)
}

// Parse parses and validates a suite. Every error names the file, line,
// column and field.
func Parse(file string, data []byte) (s *Suite, err error) {
	defer func() {
		// go-yaml panics on some malformed inputs (found by FuzzParse);
		// a bad file must get an error, not a crash.
		if r := recover(); r != nil {
			s, err = nil, &Error{File: file, Msg: fmt.Sprintf("malformed YAML (%v)", r)}
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	loc := locator{file: file}
	if err != nil {
		return nil, loc.fromYAML(err, "")
	}
	loc.ast = f
	if tag := findTag(f); tag != nil {
		p := tag.GetToken().Position
		return nil, &Error{File: file, Line: p.Line, Col: p.Column, Msg: fmt.Sprintf("YAML tag %s: tags are not part of the suite format", tag.Start.Value)}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return nil, &Error{File: file, Msg: "empty suite: want name, targets and scenarios"}
	}
	var raw rawSuite
	if err := yaml.NodeToValue(f.Docs[0].Body, &raw, yaml.Strict()); err != nil {
		return nil, loc.fromYAML(err, "")
	}
	s = &Suite{Name: raw.Name, File: file, Trials: 1, CronPeriod: raw.CronPeriod,
		SecretEnv: raw.SecretEnv, MaxSubscribers: DefaultMaxSubscribers, Text: data}
	if s.Name == "" {
		return nil, loc.at("$.name", "name", "missing: give the suite a name")
	}
	if raw.Trials != nil {
		s.Trials = *raw.Trials
		if s.Trials < 1 || s.Trials > 1000 {
			return nil, loc.at("$.trials", "trials", fmt.Sprintf("%d: must be 1 to 1000", s.Trials))
		}
	}
	if s.CronPeriod < 0 || (s.CronPeriod > 0 && s.CronPeriod < time.Second) {
		return nil, loc.at("$.cron_period", "cron_period", fmt.Sprintf("%v: must be at least 1s", s.CronPeriod))
	}
	if s.SecretEnv == "" {
		s.SecretEnv = DefaultSecretEnv
	}
	if raw.MaxSubscribers != nil {
		s.MaxSubscribers = *raw.MaxSubscribers
		if s.MaxSubscribers < 1 {
			return nil, loc.at("$.max_subscribers", "max_subscribers", "must be at least 1")
		}
	}
	if len(raw.Targets) == 0 {
		return nil, loc.at("$.targets", "targets", "missing: list at least one target (run `versus targets`)")
	}
	seen := map[string]bool{}
	for i, n := range raw.Targets {
		cfg, err := decodeTarget(loc, i, n)
		if err != nil {
			return nil, err
		}
		if seen[cfg.Name] {
			return nil, loc.at(fmt.Sprintf("$.targets[%d]", i), fmt.Sprintf("targets[%d]", i), fmt.Sprintf("duplicate target name %q", cfg.Name))
		}
		seen[cfg.Name] = true
		s.Targets = append(s.Targets, cfg)
	}
	if raw.Topology != nil {
		t, err := decodeTopology(loc, raw.Topology)
		if err != nil {
			return nil, err
		}
		s.Topology = t
	}
	if len(raw.Scenarios) == 0 {
		return nil, loc.at("$.scenarios", "scenarios", "missing: list at least one scenario (run `versus scenarios`)")
	}
	names := map[string]bool{}
	for i, n := range raw.Scenarios {
		sc, err := decodeScenario(loc, i, n)
		if err != nil {
			return nil, err
		}
		b := sc.base()
		if names[b.Name] {
			return nil, loc.at(fmt.Sprintf("$.scenarios[%d].name", i), fmt.Sprintf("scenarios[%d].name", i), fmt.Sprintf("duplicate scenario name %q", b.Name))
		}
		names[b.Name] = true
		for j, t := range b.Targets {
			if !seen[t] {
				return nil, loc.at(fmt.Sprintf("$.scenarios[%d].targets[%d]", i, j), fmt.Sprintf("scenarios[%d] (%s).targets[%d]", i, b.Name, j), fmt.Sprintf("%q is not one of the suite's targets", t))
			}
		}
		if c, ok := sc.(interface{ subscriberCount() (string, int) }); ok {
			if f, n := c.subscriberCount(); n > s.MaxSubscribers {
				return nil, loc.at(fmt.Sprintf("$.scenarios[%d].%s", i, f), fmt.Sprintf("scenarios[%d] (%s).%s", i, b.Name, f),
					fmt.Sprintf("%d subscribers is above the suite's max_subscribers (%d): raise max_subscribers (and ulimit -n) or lower it", n, s.MaxSubscribers))
			}
		}
		s.Scenarios = append(s.Scenarios, sc)
	}
	return s, nil
}

func decodeTarget(loc locator, i int, n ast.Node) (targets.Config, error) {
	path := fmt.Sprintf("$.targets[%d]", i)
	field := fmt.Sprintf("targets[%d]", i)
	var cfg targets.Config
	if n == nil || n.Type() == ast.NullType {
		// `- null` is YAML's null, but in a target list it can only mean
		// the target named null (the harness floor).
		cfg.Name = nullTarget
	} else if n.Type() == ast.StringType {
		cfg.Name = strings.TrimSpace(n.(*ast.StringNode).Value)
	} else {
		var m map[string]any
		if err := yaml.NodeToValue(n, &m); err != nil {
			return cfg, loc.fromYAML(err, field)
		}
		cfg.Options = map[string]string{}
		for k, v := range m {
			str := fmt.Sprint(v)
			switch k {
			case "name":
				cfg.Name = str
			case "kind":
				cfg.Kind = str
			case "url":
				cfg.URL = str
			default:
				cfg.Options[k] = str
			}
		}
		if cfg.Name == "" {
			return cfg, loc.at(path, field+".name", "missing: every target needs a name")
		}
	}
	if _, err := targets.New(cfg); err != nil {
		return cfg, loc.at(path, field+" ("+cfg.Name+")", err.Error())
	}
	return cfg, nil
}

func decodeScenario(loc locator, i int, n ast.Node) (Scenario, error) {
	path := fmt.Sprintf("$.scenarios[%d]", i)
	field := fmt.Sprintf("scenarios[%d]", i)
	var head struct {
		Name string `yaml:"name"`
		Kind string `yaml:"kind"`
	}
	if err := yaml.NodeToValue(n, &head); err != nil {
		return nil, loc.fromYAML(err, field)
	}
	if head.Name == "" {
		return nil, loc.at(path+".name", field+".name", "missing: every scenario needs a name")
	}
	field += " (" + head.Name + ")"
	k, ok := kinds[head.Kind]
	if !ok {
		var known []string
		for _, k := range Kinds() {
			known = append(known, k.Name)
		}
		return nil, loc.at(path+".kind", field+".kind", fmt.Sprintf("unknown scenario kind %q (known: %s)", head.Kind, strings.Join(known, ", ")))
	}
	sc := k.New()
	if err := yaml.NodeToValue(n, sc, yaml.Strict()); err != nil {
		return nil, loc.fromYAML(err, field)
	}
	for i, t := range sc.base().Targets {
		if t == "" {
			sc.base().Targets[i] = nullTarget // YAML null, as in the suite's target list
		}
	}
	if errs := sc.Validate(); len(errs) > 0 {
		e := errs[0]
		return nil, loc.at(path+"."+e.Field, field+"."+e.Field, e.Msg)
	}
	return sc, nil
}

// tagFinder stops at the first YAML tag (!foo) in a file.
type tagFinder struct{ tag *ast.TagNode }

func (v *tagFinder) Visit(n ast.Node) ast.Visitor {
	if t, ok := n.(*ast.TagNode); ok && v.tag == nil {
		v.tag = t
	}
	if v.tag != nil {
		return nil
	}
	return v
}

func findTag(f *ast.File) *ast.TagNode {
	v := &tagFinder{}
	for _, d := range f.Docs {
		if d.Body != nil {
			ast.Walk(v, d.Body)
		}
	}
	return v.tag
}
