package costmodel

import (
	"embed"
	"fmt"
	"os"
	"path"
	"strings"
)

//go:embed pricing/*.yaml
var pricingFiles embed.FS

// builtinOrder is the order catalogs are shown in: the platforms' own
// price lists, then the article they check.
var builtinOrder = []string{"cloudflare", "convex", "article"}

// Catalogs is a set of catalogs in display order; names are unique.
type Catalogs struct {
	List []*Catalog
}

// Builtin parses the embedded catalogs (costmodel/pricing/*.yaml).
func Builtin() (*Catalogs, error) {
	entries, err := pricingFiles.ReadDir("pricing")
	if err != nil {
		return nil, fmt.Errorf("costmodel: %w", err)
	}
	cs := &Catalogs{}
	for _, e := range entries {
		name := path.Join("pricing", e.Name())
		data, err := pricingFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("costmodel: %w", err)
		}
		c, err := ParseCatalog("costmodel/"+name, data)
		if err != nil {
			return nil, err
		}
		cs.Put(c)
	}
	ordered := &Catalogs{}
	for _, n := range builtinOrder {
		if c := cs.Get(n); c != nil {
			ordered.Put(c)
		}
	}
	for _, c := range cs.List {
		ordered.Put(c)
	}
	return ordered, nil
}

// LoadCatalogFile reads a catalog the user wrote (--pricing FILE).
func LoadCatalogFile(file string) (*Catalog, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("pricing catalog: %w", err)
	}
	return ParseCatalog(file, data)
}

// Get finds a catalog by name (nil if none).
func (cs *Catalogs) Get(name string) *Catalog {
	for _, c := range cs.List {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Put adds c, replacing a catalog of the same name in place: a --pricing
// file named `cloudflare` replaces the built-in Cloudflare prices.
func (cs *Catalogs) Put(c *Catalog) {
	for i, old := range cs.List {
		if old.Name == c.Name {
			cs.List[i] = c
			return
		}
	}
	cs.List = append(cs.List, c)
}

// Ref resolves "catalog/plan" (e.g. "cloudflare/workers-paid").
func (cs *Catalogs) Ref(s string) (PlanRef, error) {
	cat, plan, ok := strings.Cut(s, "/")
	if !ok {
		return PlanRef{}, fmt.Errorf("%q: write catalog/plan, e.g. cloudflare/workers-paid", s)
	}
	c := cs.Get(cat)
	if c == nil {
		return PlanRef{}, fmt.Errorf("%q: no catalog %q; loaded: %s", s, cat, strings.Join(cs.names(), ", "))
	}
	if _, err := c.Plan(plan); err != nil {
		return PlanRef{}, err
	}
	return PlanRef{Catalog: c, Plan: plan}, nil
}

func (cs *Catalogs) names() []string {
	out := make([]string, len(cs.List))
	for i, c := range cs.List {
		out[i] = c.Name
	}
	return out
}

// PlanRef names one plan of one catalog.
type PlanRef struct {
	Catalog *Catalog
	Plan    string
}

func (r PlanRef) String() string { return r.Catalog.Name + "/" + r.Plan }
