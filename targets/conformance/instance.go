package conformance

import (
	"fmt"
	"net/url"
	"strings"

	"versus/targets"
)

// AtURL returns an Instance for a contract v1 server that is already
// running at rawURL (`versus verify --url`). Its Discovery is empty, since
// Verify reads GET /contract itself, and Close does nothing: the server is
// not Versus's to stop.
func AtURL(rawURL string) (targets.Instance, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("target URL %q: %w", rawURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("target URL %q: want http://host:port or https://host, the base of the contract routes", rawURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("target URL %q: drop the query and fragment; give the base of the contract routes", rawURL)
	}
	return urlInstance(strings.TrimSuffix(u.String(), "/")), nil
}

type urlInstance string

func (u urlInstance) Discovery() targets.Discovery { return targets.Discovery{} }
func (u urlInstance) URL() string                  { return string(u) }
func (u urlInstance) Close() error                 { return nil }
