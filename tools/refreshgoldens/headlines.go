package main

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// headlineKeys are the numbers of a report that people cite, as dotted
// paths into the YAML document.
var headlineKeys = []string{
	"params.total",
	"params.active",
	"flops.forward",
	"flops.forward_dense",
	"memory.weights_bytes",
	"memory.kv_cache_bytes_per_token",
	"memory.kv_cache_bytes",
	"memory.activation_elements.total",
}

// headlines reads a YAML report back and returns its headline numbers by
// key, as the exact decimal text the report holds.
func headlines(doc []byte) (map[string]string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("read YAML report: %w", err)
	}
	out := map[string]string{}
	for _, key := range headlineKeys {
		n := &root
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			n = n.Content[0]
		}
		for _, part := range strings.Split(key, ".") {
			n = lookup(n, part)
			if n == nil {
				return nil, fmt.Errorf("read YAML report: no %s", key)
			}
		}
		if n.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("read YAML report: %s is not a number", key)
		}
		out[key] = n.Value
	}
	return out, nil
}

// lookup returns the value of key in mapping node n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
