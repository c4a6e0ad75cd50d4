// Package dialect speaks other container systems' pull policies — Podman, the Docker CLI,
// Docker Compose, nerdctl, the Amazon ECS agent, Nomad's docker driver and GitLab Runner — and
// decides them on the same [pullpolicy.Store] and [pullpolicy.Resolver] as [pullpolicy.Decide],
// with the same [pullpolicy.Decision] vocabulary and the same classified registry errors.
//
//	p, err := dialect.Parse(dialect.Compose, "every_12h")
//	d, err := dialect.Decide(ctx, p, img, store, resolver, &dialect.Options{Now: clock})
//	m, err := dialect.ToKubernetes(p) // ErrNoEquivalent: Kubernetes has no time-based refresh
//
// # Parsing
//
// [Parse] takes a value exactly as the system takes it and answers as the system's own parser
// does: the same names and aliases, the same case rule, the same error text, verbatim (the
// error also matches [pullpolicy.ErrInvalidPolicy]). Per system:
//
//   - Podman (containers/common pkg/config.ParsePullPolicy): always, missing (also ifmissing,
//     ifnotpresent and ""), newer (also ifnewer), never; case-insensitive;
//     `unsupported pull policy "x"`.
//   - Docker CLI (validatePullOpt): always, missing, never and ""; case-sensitive;
//     `invalid pull option: 'x': must be one of "always", "missing" or "never"`. The CLI pulls
//     only under missing, so "" behaves as never.
//   - Compose: what the compose-spec schema's pattern admits — always, never, missing,
//     if_not_present, build, refresh, daily, weekly, every_<duration> with integer counts of
//     w, d, h, m and s, combinable (every_1w2d) — interpreted as compose-go's GetPullPolicy
//     does; "" is an unset pull_policy. Errors are the schema's
//     `pull_policy 'x' does not match pattern '…'` and str2duration's
//     `time: invalid duration "…"` for a window beyond about 292 years.
//   - nerdctl (imgutil.EnsureImage): always, missing, never; `unexpected pull mode: "x"`.
//   - ECS (parseImagePullBehavior): default, always, once, prefer-cached. The agent never
//     rejects a value: anything else is default, and [Policy.Note] says so.
//   - Nomad: force_pull, an HCL bool converted from a string as go-cty does: "true" or "1",
//     "false" or "0", "" for unset; `a bool is required`.
//   - GitLab Runner (GetPullPolicies): always, if-not-present, never, as one name, a
//     comma-separated list or a bracketed array; an empty list is always;
//     `unsupported pull_policy config: "x"`.
//
// # Deciding
//
// [Decide] runs the Kubernetes-like steps through pullpolicy.Decide itself (so asking the
// registry pins a pull to the registry's digest) and adds what each system does beyond
// Kubernetes: Podman's newer compares the registry's digest with all the local image's digests
// and keeps the local image when the registry fails; Compose's refresh policies compare the
// clock ([Options.Now]) with the local image's last pull or tag time
// ([pullpolicy.LocalImage.Pulled]); ECS's default starts the cached image when a pull fails,
// and its once remembers pulls through a [PullMemory] ([MemoryPulls] in memory); Nomad pulls
// the tag latest on every start; a GitLab list goes on to its next entry only when the
// registry is unavailable. [Decision] says what was tolerated on the way ([Decision.Tolerated]).
// docker/compose decides differently for `compose pull` than for `up`; [Options.Compose] picks
// the command.
//
// # Translating
//
// [ToKubernetes] and [FromKubernetes] map a policy to the nearest Kubernetes imagePullPolicy
// and back, with a [Match] of Exact, Approximate (and a note on what differs) or NoEquivalent
// (an error wrapping [ErrNoEquivalent]): Compose's daily has no Kubernetes counterpart, ECS's
// default is approximately Always, Nomad without force_pull is exactly an unset
// imagePullPolicy.
//
// # Cross-walk
//
// [CrossWalk] lists every spelling with its behaviour and translation, from the tables the
// parsers and the engine use; [CrossWalkMarkdown] is the table in the project's README, which
// a test keeps equal to it.
//
// # Concurrency
//
// Policies are immutable values. Decide is safe for concurrent use when the store, the
// resolver and the PullMemory are; MemoryPulls is.
package dialect
