package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/imagepull/imagepull/kube"
	"github.com/imagepull/imagepull/kube/kustomize"
	"github.com/imagepull/imagepull/lint"
	"github.com/imagepull/imagepull/pullpolicy"
)

func lintCommand() *command {
	return &command{
		name:    "lint",
		args:    "[FILE...]",
		summary: "check manifests' image pull policies (rules IP001…, text, JSON or SARIF)",
		help: `Lint checks every image of every workload in Kubernetes manifests against rules with
stable IDs, each with why it matters and how to fix it (--list-rules shows them): the
policy not set, a mutable tag, IfNotPresent with a mutable tag, Always on a digest, Never,
a tag and a digest together, an invalid name or policy, a private-looking registry without
imagePullSecrets, and, with --require-policy, a policy other than the one required (as the
AlwaysPullImages admission plugin enforces Always).

Rules can be disabled or given another severity with --rule (repeatable) or a
configuration file; flags win over the file. Without --config, lint loads
.imagepull-lint.yaml (or .yml) from the working directory, or else from the root of the
repository it is in, as kube-linter loads .kube-linter.yaml:

  # .imagepull-lint.yaml
  requirePolicy: Always
  publicRegistries: [registry.example.com]
  rules:
    IP004: off
    policy-not-set: error

An annotation on an object (or its pod template) suppresses one rule there, with a reason;
after the rule's ID or name, ".CONTAINER" narrows it to one container. Suppressed findings
are listed as suppressed (text, JSON, SARIF suppressions) and do not fail the run:

  metadata:
    annotations:
      imagepull.dev/ignore-mutable-tag: "the dev overlay follows latest on purpose"
      imagepull.dev/ignore-IP008.migrate: "the node's credential provider serves it"

Rule IP011 flags API versions that Kubernetes --kubernetes-version (default ` + lint.DefaultKubernetesVersion + `) does
not serve, such as extensions/v1beta1 Deployments (not served since 1.16).

The exit code is 1 when a finding reaches the --fail-on severity (warning by default), and
2 for unreadable input or malformed documents (reported one per line after the findings).

A directory holding a kustomization file (kustomization.yaml, .yml or Kustomization) is
rendered with the kustomize library, as kustomize build and kube-linter render it, and the
findings are reported in the files the rendered objects were written in. A Helm chart
(a directory with Chart.yaml, or a file in its templates/) is skipped with a note: render it
and pipe it in, helm template ./chart | imagepull lint -f -. YAML that is no Kubernetes
object (values files, CI workflows) is skipped and counted in a note; --strict fails on
it and on charts.`,
		examples: []example{
			{"imagepull lint -f k8s/ -R", "every manifest under k8s/, kustomizations rendered"},
			{"imagepull lint -f overlays/prod", "a kustomize overlay, rendered"},
			{"helm template ./chart | imagepull lint -f -", "a rendered chart, from standard input"},
			{"imagepull lint -f deploy.yaml --require-policy Always", "enforce Always everywhere, as AlwaysPullImages would"},
			{"imagepull lint -f k8s/ --rule IP004=off --rule policy-not-set=error --fail-on error", "adjust rules, fail only on errors"},
			{"imagepull lint -f k8s/ -o sarif > imagepull.sarif", "SARIF 2.1.0 for a code-scanning UI"},
			{"imagepull lint --list-rules", "the rules, their IDs and default severities"},
			{"imagepull lint deploy.yaml k8s/cronjob.yaml", "files as arguments, as pre-commit passes them (the same as -f)"},
		},
		minArgs: 0, maxArgs: -1, // files as arguments too, as pre-commit passes them
		newRunner: func() runner { return &lintRunner{} },
	}
}

type lintRunner struct {
	in        inputFlags
	config    string
	require   string
	rules     listFlag
	public    listFlag
	failOn    string
	k8s       string
	listRules bool
	out       *formatFlag
}

func (r *lintRunner) flags(fs *flagSet) {
	r.in.register(fs)
	fs.StringVar(&r.config, "config", "", "read the configuration `FILE` (YAML or JSON: requirePolicy, publicRegistries, rules)\ninstead of .imagepull-lint.yaml in the working directory or the repository's root")
	fs.StringVar(&r.require, "require-policy", "", "require `POLICY` (Always, IfNotPresent or Never) for every image (rule IP009)")
	fs.Var(&r.rules, "rule", "`ID=SEVERITY`: set a rule (by ID or name) to note, warning or error, or off\n(repeatable, or comma-separated)")
	fs.Var(&r.public, "public-registry", "treat `HOST` as a public registry (rule IP008; repeatable)")
	fs.StringVar(&r.failOn, "fail-on", "warning", "exit 1 when a finding is at least `SEVERITY`: note, warning, error, or never")
	fs.StringVar(&r.k8s, "kubernetes-version", "", "check API versions against Kubernetes `VERSION` (1.MINOR; default "+lint.DefaultKubernetesVersion+"; rule IP011)")
	fs.BoolVar(&r.listRules, "list-rules", false, "list the rules and exit")
	r.out = fs.output("text", "json", "sarif")
}

// linterConfig builds the configuration: the file, then the flags.
func (r *lintRunner) linterConfig() (lint.Config, error) {
	var cfg lint.Config
	path, found := r.config, false
	if path == "" {
		p, err := findConfig()
		if err != nil {
			return cfg, inputErr(fmt.Errorf("looking for .imagepull-lint.yaml: %w", err))
		}
		path, found = p, true
	}
	if path != "" {
		c, err := lint.LoadConfig(path)
		switch {
		case err != nil && found:
			return cfg, inputErr(fmt.Errorf("%w (loaded without --config; --config FILE reads another)", err))
		case err != nil:
			return cfg, inputErr(fmt.Errorf("--config: %w", err))
		}
		cfg = c
	}
	if r.require != "" {
		p, err := pullpolicy.ParsePolicy(r.require)
		if err != nil {
			return cfg, usagef("--require-policy: %v", err)
		}
		cfg.RequirePolicy = p
	}
	for _, rule := range r.rules {
		id, value, ok := strings.Cut(rule, "=")
		if !ok {
			return cfg, usagef("--rule %q: want ID=SEVERITY (note, warning, error or off)", rule)
		}
		if err := cfg.Set(id, value); err != nil {
			return cfg, usagef("--rule %s: %v", rule, err)
		}
	}
	cfg.PublicRegistries = append(cfg.PublicRegistries, r.public...)
	if r.k8s != "" {
		if _, err := lint.ParseKubernetesVersion(r.k8s); err != nil {
			return cfg, usagef("--kubernetes-version: %v", err)
		}
		cfg.KubernetesVersion = r.k8s
	}
	return cfg, nil
}

// failThreshold parses --fail-on; 0 means never.
func (r *lintRunner) failThreshold() (lint.Severity, error) {
	if r.failOn == "never" {
		return 0, nil
	}
	s, err := lint.ParseSeverity(r.failOn)
	if err != nil {
		return 0, usagef("--fail-on: invalid severity %q: want note, warning, error or never", r.failOn)
	}
	return s, nil
}

func (r *lintRunner) run(ctx context.Context, a *app, files []string) error {
	r.in.files = append(r.in.files, files...) // FILE... is -f FILE...
	cfg, err := r.linterConfig()
	if err != nil {
		return err
	}
	failOn, err := r.failThreshold()
	if err != nil {
		return err
	}
	l, err := lint.New(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	if r.listRules {
		return r.writeRules(a.stdout, l.Rules())
	}
	// Each manifest is linted as it is read and then dropped: memory does not grow with
	// the number of files, only with the findings.
	var findings []lint.Finding
	in := &input{}
	progress := a.newProgress("files", 0)
	err = a.eachManifest(ctx, &r.in, progress, func(m *kube.Manifest, rendered *kustomize.Rendered) error {
		findings = append(findings, locateRendered(l.Manifest(m), rendered)...)
		in.errors = append(in.errors, m.Errors...)
		return nil
	})
	progress.finish()
	if err != nil {
		return err
	}
	switch r.out.value {
	case "json":
		err = lint.WriteJSON(a.stdout, findings)
	case "sarif":
		err = lint.WriteSARIF(a.stdout, sarifTool(), l.Rules(), findings, sarifNotes(in)...)
	default:
		err = lint.WriteText(a.stdout, findings)
	}
	if err != nil {
		return err
	}
	if err := in.malformed(); err != nil {
		return err
	}
	if failOn != 0 && lint.Reaches(findings, failOn) {
		return errReported
	}
	return nil
}

// ruleJSON is a rule as --list-rules shows it: with the severity configured, or "off".
type ruleJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Why      string `json:"why"`
	Fix      string `json:"fix"`
}

// writeRules lists every rule, with the severity it runs at (enabled lists those that run).
func (r *lintRunner) writeRules(w io.Writer, enabled []lint.Rule) error {
	var rules []ruleJSON
	for _, rule := range lint.Rules() {
		sev := "off"
		for _, e := range enabled {
			if e.ID == rule.ID {
				sev = e.Severity.String()
			}
		}
		rules = append(rules, ruleJSON{ID: rule.ID, Name: rule.Name, Severity: sev, Why: rule.Why, Fix: rule.Fix})
	}
	if r.out.value != "text" {
		return writeJSON(w, rules)
	}
	for _, rule := range rules {
		fmt.Fprintf(w, "%s  %-7s  %s\n  why: %s\n  fix: %s\n", rule.ID, rule.Severity, rule.Name, rule.Why, rule.Fix)
	}
	return nil
}

// sarifTool names this program in SARIF output, with its version from the build info: the
// module's version ("(devel)" for a build without one) and, when the build recorded it, the
// VCS revision.
func sarifTool() lint.Tool {
	t := lint.Tool{Name: "imagepull", InformationURI: "https://github.com/imagepull/imagepull"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return t
	}
	t.Version = bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && !strings.Contains(t.Version, shortRevision(s.Value)) {
			t.Version += " (" + shortRevision(s.Value) + ")"
		}
	}
	return t
}

// shortRevision is the first 12 characters of a VCS revision, as pseudo-versions spell it.
func shortRevision(rev string) string { return rev[:min(len(rev), 12)] }

// sarifNotes turns the malformed documents of the input into SARIF notifications.
func sarifNotes(in *input) []lint.Notification {
	var notes []lint.Notification
	for _, e := range in.errors {
		notes = append(notes, lint.Notification{File: e.File, Line: e.Line, Message: e.Error()})
	}
	return notes
}
