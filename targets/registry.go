package targets

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kind describes a registered kind of target.
type Kind struct {
	Name string
	// Builtin kinds can be named alone in a suite (`- edge`).
	Builtin bool
	// Summary is one line for `versus targets`.
	Summary string
	// Fields lists the suite fields the kind reads, with a line each.
	Fields map[string]string
	// New builds a target from its suite entry. It validates the entry and
	// returns an error naming the field at fault.
	New func(cfg Config) (Target, error)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Kind{}
)

// Register adds a kind. It panics on a duplicate name: that is a bug.
func Register(k Kind) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := registry[k.Name]; dup {
		panic("targets: kind registered twice: " + k.Name)
	}
	registry[k.Name] = k
}

// Lookup returns the kind registered under name.
func Lookup(name string) (Kind, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	k, ok := registry[name]
	return k, ok
}

// Kinds lists the registered kinds by name.
func Kinds() []Kind {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]Kind, 0, len(registry))
	for _, k := range registry {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// New builds the target a suite entry describes. An entry without a kind
// names a built-in target.
func New(cfg Config) (Target, error) {
	kind := cfg.Kind
	if kind == "" {
		kind = cfg.Name
	}
	k, ok := Lookup(kind)
	if !ok {
		return nil, fmt.Errorf("unknown target kind %q (known: %s)", kind, strings.Join(names(), ", "))
	}
	if cfg.Kind == "" && !k.Builtin {
		return nil, fmt.Errorf("target %q needs fields: use {name: ..., kind: %s, ...}", cfg.Name, kind)
	}
	if cfg.Name == "" {
		cfg.Name = kind
	}
	return k.New(cfg)
}

func names() []string {
	var out []string
	for _, k := range Kinds() {
		out = append(out, k.Name)
	}
	return out
}
