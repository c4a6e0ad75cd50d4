package dialect

import (
	"fmt"
	"strings"

	"github.com/imagepull/imagepull/pullpolicy"
)

// maxGitLabSteps bounds a GitLab list. GitLab Runner sets no limit; three distinct policies
// exist, so a longer list is a mistake, and the bound keeps memory bounded whatever arrives.
const maxGitLabSteps = 16

// gitlabTable is GitLab Runner's pull_policy (common.DockerConfig.GetPullPolicies, and the
// docker executor's pull manager, which tries the list in order). Values are case-sensitive.
var gitlabTable = table{
	system:  GitLab,
	title:   "GitLab Runner",
	setting: "`pull_policy` in config.toml or `image:pull_policy` in .gitlab-ci.yml",
	cases:   "case-sensitive; a list, tried in order",
	entries: []entry{
		{name: "always", rule: ruleAlways, k8s: Mapping{pullpolicy.Always, Exact, ""}, note: "the default (an empty list)"},
		{name: "if-not-present", rule: ruleIfNotPresent, k8s: Mapping{pullpolicy.IfNotPresent, Exact, ""}},
		{name: "never", rule: ruleNever, k8s: Mapping{pullpolicy.Never, Exact, ""}},
		{name: "[a, b, …]", pattern: true,
			custom: behaviour{"as its first entry decides", "as its first entry decides", "tries the next entry"},
			k8s:    Mapping{"", Approximate, "the first entry's policy: Kubernetes has no fallback list"},
			note: "the next entry is tried when one fails because the registry is unavailable (or, under never, the image is absent); " +
				"GitLab Runner itself goes on after any failure, 401, 403 and 404 included (Options.GitLabAnyError)"},
	},
	reverse: []reverse{
		{from: "Always", name: "always", match: Exact},
		{from: "IfNotPresent", name: "if-not-present", match: Exact},
		{from: "Never", name: "never", match: Exact},
		{from: "", match: NoEquivalent, note: "GitLab Runner has no default that depends on the tag"},
	},
}

// parseGitLab parses a pull_policy list: one name ("always"), names separated by commas
// ("always, if-not-present"), or a TOML/YAML/JSON array (`["always", "if-not-present"]`),
// names optionally quoted. Every name must be one of GitLab's three, exactly; the error is
// GetPullPolicies'. An empty list is GitLab's default, always.
func parseGitLab(value string) (Policy, error) {
	items, err := splitList(value)
	if err != nil {
		return Policy{}, err
	}
	if len(items) == 0 {
		items = []string{"always"}
	}
	p := Policy{System: GitLab, Input: value, steps: make([]step, 0, len(items))}
	for _, it := range items {
		e, ok := gitlabTable.lookup(it)
		if !ok {
			return Policy{}, &policyError{msg: fmt.Sprintf("unsupported pull_policy config: %q", it)}
		}
		p.steps = append(p.steps, step{name: e.name, rule: e.rule})
	}
	p.Name = strings.Join(p.Steps(), ",")
	return p, nil
}

// splitList splits a list written as one name, comma-separated names, or a bracketed array,
// and removes matching quotes around each name.
func splitList(value string) ([]string, error) {
	s := strings.TrimSpace(value)
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return nil, fmt.Errorf("dialect: gitlab pull_policy %q: unterminated list: %w", value, pullpolicy.ErrInvalidPolicy)
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
		s = strings.TrimSpace(strings.TrimSuffix(s, ",")) // TOML allows a trailing comma
	}
	if s == "" {
		return nil, nil
	}
	if n := strings.Count(s, ",") + 1; n > maxGitLabSteps {
		return nil, fmt.Errorf("dialect: gitlab pull_policy has %d entries, more than %d: %w", n, maxGitLabSteps, pullpolicy.ErrInvalidPolicy)
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && (p[0] == '"' || p[0] == '\'') && p[len(p)-1] == p[0] {
			p = p[1 : len(p)-1]
		}
		parts[i] = p
	}
	return parts, nil
}
