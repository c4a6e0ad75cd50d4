package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlagSetParse(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		positional []string
		policy     string
		present    []string
		output     string
		wantErr    string
	}{
		{"flags after the argument", []string{"nginx", "--policy", "Always"}, []string{"nginx"}, "Always", nil, "text", ""},
		{"flags around the argument", []string{"-o", "json", "nginx", "--policy=Never"}, []string{"nginx"}, "Never", nil, "json", ""},
		{"long alias of -o", []string{"--output", "json", "nginx"}, []string{"nginx"}, "", nil, "json", ""},
		{"repeated and comma-separated", []string{"x", "--present", "a,b", "--present", "c"}, []string{"x"}, "", []string{"a", "b", "c"}, "text", ""},
		{"after -- everything is positional", []string{"a", "--", "--policy", "b"}, []string{"a", "--policy", "b"}, "", nil, "text", ""},
		{"stdin as an argument", []string{"-"}, []string{"-"}, "", nil, "text", ""},
		{"unknown flag", []string{"a", "--nope"}, nil, "", nil, "text", "flag provided but not defined: -nope"},
		{"bad format", []string{"-o", "xml"}, nil, "", nil, "text", `invalid value "xml" for flag -o: unknown output format "xml": use text, json`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFlagSet("test")
			var policy string
			var present listFlag
			fs.StringVar(&policy, "policy", "", "")
			fs.Var(&present, "present", "")
			out := fs.output("text", "json")
			positional, err := fs.parse(tc.args)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.positional, positional)
			assert.Equal(t, tc.policy, policy)
			assert.Equal(t, tc.present, []string(present))
			assert.Equal(t, tc.output, out.value)
		})
	}
}

func TestFlagError(t *testing.T) {
	for in, want := range map[string]string{
		"flag provided but not defined: -nope":          "flag provided but not defined: --nope",
		"flag needs an argument: -o":                    "flag needs an argument: -o",
		`invalid value "x" for flag -docker-config: no`: `invalid value "x" for flag --docker-config: no`,
	} {
		assert.Equal(t, want, flagError(errString(in)))
	}
}

type errString string

func (e errString) Error() string { return string(e) }
