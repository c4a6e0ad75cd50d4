package main

import (
	"github.com/imagepull/imagepull/kubelet"
	"github.com/imagepull/imagepull/pullpolicy"
	"github.com/imagepull/imagepull/reference"
)

// effectivePolicy returns the policy the kubelet applies to image when written is the policy
// as written ("" when not set), and why, in a few words: "set explicitly", "no tag → Always",
// "tag 1.25 → IfNotPresent". The rule is the API server's defaulting ([pullpolicy.Default]):
// only the tag counts, and a name that does not parse defaults to IfNotPresent.
func effectivePolicy(image string, written pullpolicy.Policy) (pullpolicy.Policy, string) {
	if written != "" {
		return written, "set explicitly"
	}
	img, err := reference.Parse(image)
	if err != nil {
		return pullpolicy.IfNotPresent, "invalid image name → IfNotPresent"
	}
	p := pullpolicy.DefaultFor(img)
	switch tag, dgst := img.Tag(), img.Digest(); {
	case img.WithDefaultTag() != img.Original():
		return p, "no tag → " + string(p)
	case tag == "":
		return p, "digest, no tag → " + string(p)
	case dgst != "" && p == pullpolicy.Always:
		return p, "tag latest → Always (the digest is not looked at)"
	default:
		return p, "tag " + tag + " → " + string(p)
	}
}

// eventType is the type of the kubelet's event with the given reason: Normal for the pull's
// progress (Pulling, Pulled, BackOff), Warning for a failure.
func eventType(reason string) string {
	switch reason {
	case pullpolicy.ReasonPulling, pullpolicy.ReasonPulled, pullpolicy.ReasonBackOff:
		return kubelet.EventTypeNormal
	}
	return kubelet.EventTypeWarning
}

// eventJSON is one kubelet event in JSON output.
type eventJSON struct {
	Type      string `json:"type"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	FieldPath string `json:"fieldPath,omitempty"`
}

// eventText is how an event reads in text output: `Normal Pulling: Pulling image "nginx"`.
func (e eventJSON) text() string { return e.Type + " " + e.Reason + ": " + e.Message }
