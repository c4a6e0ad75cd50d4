package lint

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// Tool describes the program that produced the findings, for [WriteSARIF].
type Tool struct {
	Name           string // "imagepull"
	Version        string // may be ""
	InformationURI string // may be ""
}

// SARIF 2.1.0 (OASIS), the subset a code-scanning UI reads.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool        sarifTool         `json:"tool"`
		Invocations []sarifInvocation `json:"invocations"`
		Results     []sarifResult     `json:"results"`
	}
	// §3.20 invocation: executionSuccessful is required.
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	// §3.58 notification.
	sarifNotification struct {
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations,omitempty"`
	}
	// §3.35 suppression: kind is required.
	sarifSuppression struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification,omitempty"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		Name                 string       `json:"name"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		FullDescription      sarifMessage `json:"fullDescription"`
		Help                 sarifMessage `json:"help"`
		DefaultConfiguration sarifConfig  `json:"defaultConfiguration"`
	}
	sarifConfig struct {
		Level string `json:"level"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID       string             `json:"ruleId"`
		RuleIndex    int                `json:"ruleIndex"`
		Level        string             `json:"level"`
		Message      sarifMessage       `json:"message"`
		Locations    []sarifLocation    `json:"locations"`
		Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifLogical struct {
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
)

// Notification is a problem the run met that is not a finding, such as a malformed
// document: SARIF reports it among the invocation's toolExecutionNotifications.
type Notification struct {
	// File and Line locate it; "" and 0 when unknown.
	File string
	Line int
	// Message says what is wrong.
	Message string
}

// WriteSARIF writes findings as a SARIF 2.1.0 log with one run, for code-scanning UIs.
// rules are the rules the run checked ([Linter.Rules]); every finding's rule must be among
// them or in [Rules]. Files become relative URIs (forward slashes, escaped); a finding read
// from standard input (no file) has only a logical location: the object and field path. A
// suppressed finding carries an in-source suppression with its reason as justification,
// which code-scanning UIs show as suppressed rather than open. The run has one invocation,
// successful unless there are notes, which it lists as error notifications.
func WriteSARIF(w io.Writer, tool Tool, rules []Rule, findings []Finding, notes ...Notification) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI}}}
	inv := sarifInvocation{ExecutionSuccessful: len(notes) == 0}
	for _, n := range notes {
		sn := sarifNotification{Level: "error", Message: sarifMessage{Text: n.Message}}
		if n.File != "" && n.File != "-" {
			p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(n.File)}}
			if n.Line > 0 {
				p.Region = &sarifRegion{StartLine: n.Line}
			}
			sn.Locations = []sarifLocation{{PhysicalLocation: p}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sn)
	}
	run.Invocations = []sarifInvocation{inv}
	index := func(id string) int { return slices.IndexFunc(rules, func(r Rule) bool { return r.ID == id }) }
	for _, f := range findings { // a finding of a rule the caller did not list still gets its rule
		if index(f.Rule) < 0 {
			if r, ok := findRule(f.Rule); ok {
				rules = append(slices.Clip(rules), r)
			}
		}
	}
	for _, r := range rules {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, Name: r.Name,
			ShortDescription:     sarifMessage{Text: r.Why},
			FullDescription:      sarifMessage{Text: r.Why + " " + r.Fix},
			Help:                 sarifMessage{Text: r.Fix},
			DefaultConfiguration: sarifConfig{Level: r.Severity.String()},
		})
	}
	run.Results = make([]sarifResult, 0, len(findings))
	for i := range findings {
		f := &findings[i]
		loc := sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: logicalName(f), Kind: "member"}}}
		if f.File != "" && f.File != "-" {
			loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(f.File)}}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line}
			}
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index(f.Rule), Level: f.Severity.String(),
			Message:   sarifMessage{Text: f.Message},
			Locations: []sarifLocation{loc},
		}
		if f.Suppression != nil {
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.Suppression.Reason + " (" + f.Suppression.Annotation + ")"}}
		}
		run.Results = append(run.Results, res)
		if run.Results[i].RuleIndex < 0 {
			run.Results[i].RuleIndex = slices.IndexFunc(run.Tool.Driver.Rules, func(r sarifRule) bool { return r.ID == f.Rule })
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// fileURI turns a file path into a URI reference: relative paths stay relative (what
// code-scanning UIs resolve against the repository root), absolute ones become file URIs.
func fileURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: strings.TrimPrefix(p, "./")}).String()
}

// logicalName names the field: "Deployment/shop/web/spec.template.spec.containers[0].image".
func logicalName(f *Finding) string {
	name := f.Object.Kind + "/"
	if f.Object.Namespace != "" {
		name += f.Object.Namespace + "/"
	}
	return name + f.Object.Name + "/" + f.Path
}
