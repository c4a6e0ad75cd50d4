package doctor

// Report is the diagnosis of a target: one entry per pod, and the reads that were refused.
type Report struct {
	// Pods are the pods diagnosed, by namespace and name.
	Pods []PodReport `json:"pods"`
	// Forbidden lists the API reads the caller may not make (403): what could not be said
	// because of them is marked in the pods' reports.
	Forbidden []Forbidden `json:"forbidden,omitempty"`
	// Notes are remarks about the whole run: the target matched no pod, the registry call
	// budget was spent.
	Notes []string `json:"notes,omitempty"`
}

// Forbidden is one API read the caller is not allowed: "get secrets in namespace app".
type Forbidden struct {
	Verb      string `json:"verb"`
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
}

// String is "get secrets in namespace app", or "list nodes" for a cluster-wide read.
func (f Forbidden) String() string {
	s := f.Verb + " " + f.Resource
	if f.Namespace != "" {
		s += " in namespace " + f.Namespace
	}
	return s
}

// PodReport is one pod's diagnosis.
type PodReport struct {
	Namespace      string `json:"namespace"`
	Name           string `json:"name"`
	Node           string `json:"node,omitempty"`
	ServiceAccount string `json:"serviceAccount,omitempty"`
	// Secrets are the pod's imagePullSecrets in its order, then the service account's pull
	// Secrets the pod lacks.
	Secrets []SecretReport `json:"secrets,omitempty"`
	// Images are the pod's images: init containers, containers, ephemeral containers, image
	// volumes.
	Images []ImageReport `json:"images"`
	// Notes are remarks about the pod as a whole.
	Notes []string `json:"notes,omitempty"`
}

// SecretStatus is what became of a pull Secret.
type SecretStatus string

// The states of a pull Secret.
const (
	// SecretOK: a Secret of a docker config type whose content decodes.
	SecretOK SecretStatus = "OK"
	// SecretMissing: the Secret does not exist; the kubelet pulls without it and records a
	// FailedToRetrieveImagePullSecret event.
	SecretMissing SecretStatus = "Missing"
	// SecretWrongType: not of type kubernetes.io/dockerconfigjson (key .dockerconfigjson)
	// or kubernetes.io/dockercfg (key .dockercfg), or that key is empty: the kubelet ignores
	// it.
	SecretWrongType SecretStatus = "WrongType"
	// SecretBadJSON: the content does not decode; the kubelet's credential lookup fails,
	// and every pull of the pod with it.
	SecretBadJSON SecretStatus = "BadJSON"
	// SecretForbidden: the Secret could not be read (no get secrets).
	SecretForbidden SecretStatus = "Forbidden"
	// SecretUnreadable: reading the Secret failed otherwise (the API server's error is in
	// Detail).
	SecretUnreadable SecretStatus = "Unreadable"
	// SecretNotInPod: the service account lists the Secret, the pod does not: the pod was
	// admitted before the service account got it, or names its own imagePullSecrets.
	SecretNotInPod SecretStatus = "NotInPod"
)

// SecretReport is one pull Secret, checked. It never holds a credential.
type SecretReport struct {
	Name string `json:"name"`
	// From is "pod" for spec.imagePullSecrets, "serviceAccount" for one only the service
	// account names.
	From   string       `json:"from"`
	Status SecretStatus `json:"status"`
	Type   string       `json:"type,omitempty"`
	// Registries are the locations the Secret holds credentials for (its "auths" keys).
	Registries []string `json:"registries,omitempty"`
	// Detail says more: the decoding error, the key that is missing.
	Detail string `json:"detail,omitempty"`
}

// ImageReport is one image of a pod, diagnosed.
type ImageReport struct {
	// Kind is "container", "init-container", "sidecar-container", "ephemeral-container" or
	// "image-volume".
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Image string `json:"image"`
	// Path locates the image in the pod: "spec.containers[0].image".
	Path string `json:"path"`
	// PolicyWritten is the imagePullPolicy as written ("" when left to the default), and
	// Policy the one stored and applied.
	PolicyWritten string `json:"policyWritten,omitempty"`
	Policy        string `json:"policy"`
	// PolicyEffect says what the policy makes the kubelet do.
	PolicyEffect string   `json:"policyEffect"`
	Presence     Presence `json:"presence"`
	// Credentials are the credentials the kubelet would try, in its order.
	Credentials []CredentialReport `json:"credentials,omitempty"`
	// Attempts are the registry's answers, one per credential tried, in order.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Finding is the root cause (or that nothing stops the image), with its fix.
	Finding Finding `json:"finding"`
	// Also are further findings that do not stop this image.
	Also []Finding `json:"also,omitempty"`
	// Actual is the container's state as the kubelet reported it, beside the diagnosis.
	Actual Actual `json:"actual"`
}

// Presence says whether the node holds the image, from Node.status.images.
type Presence struct {
	// State is "present", "absent" or "unknown".
	State string `json:"state"`
	// Name is the node's name of the image that matched.
	Name string `json:"name,omitempty"`
	// Why explains an unknown state.
	Why string `json:"why,omitempty"`
}

// The presence states.
const (
	Present = "present"
	Absent  = "absent"
	Unknown = "unknown"
)

// CredentialReport is one credential the kubelet would try, named by its source, never by
// its content.
type CredentialReport struct {
	// Source is "Secret regcred", "credential provider plugin" or "node docker config".
	Source string `json:"source"`
}

// Attempt is the registry asked with one credential.
type Attempt struct {
	// Credential names the credential: a [CredentialReport.Source], or "anonymous".
	Credential string      `json:"credential"`
	Result     ProbeResult `json:"result"`
}

// Cause names a root cause.
type Cause string

// The causes, the first the most common.
const (
	// CauseNone: nothing stops the image.
	CauseNone Cause = "None"
	// CauseInvalidName: the image string does not parse (InvalidImageName).
	CauseInvalidName Cause = "InvalidImageName"
	// CauseNeverAbsent: policy Never and the image is not on the node (ErrImageNeverPull).
	CauseNeverAbsent Cause = "NeverPolicyImageAbsent"
	// CauseNotFound: the registry has no such tag, digest or repository.
	CauseNotFound Cause = "NotFound"
	// CauseMissingSecret: a pull Secret the pod names does not exist.
	CauseMissingSecret Cause = "MissingSecret"
	// CauseSecretWrongType: a pull Secret is of a type the kubelet ignores.
	CauseSecretWrongType Cause = "SecretWrongType"
	// CauseSecretBadJSON: a pull Secret does not decode; the kubelet cannot pull at all.
	CauseSecretBadJSON Cause = "SecretBadJSON"
	// CauseSecretNoEntry: the pull Secrets hold no credentials for the image's registry.
	CauseSecretNoEntry Cause = "SecretNoEntryForRegistry"
	// CauseServiceAccountSecret: the service account has a pull Secret the pod lacks.
	CauseServiceAccountSecret Cause = "ServiceAccountSecretNotInPod"
	// CauseNoCredentials: the registry wants credentials and the pod has none.
	CauseNoCredentials Cause = "NoCredentials"
	// CauseUnauthorized: the registry refused every credential (wrong or expired).
	CauseUnauthorized Cause = "Unauthorized"
	// CauseDenied: the registry knows the credential but denies the pull.
	CauseDenied Cause = "Denied"
	// CauseRateLimited: the registry's pull rate limit.
	CauseRateLimited Cause = "RateLimited"
	// CauseTLSUnknownAuthority: the registry's certificate is signed by a CA the node
	// does not trust.
	CauseTLSUnknownAuthority Cause = "TLSUnknownAuthority"
	// CauseTLSWrongName: the registry's certificate is for another name.
	CauseTLSWrongName Cause = "TLSWrongName"
	// CauseTLS: another TLS failure.
	CauseTLS Cause = "TLS"
	// CauseDNS: the registry's name does not resolve.
	CauseDNS Cause = "DNS"
	// CauseTimeout: the registry does not answer in time.
	CauseTimeout Cause = "Timeout"
	// CauseRegistryDown: the registry refuses connections or answers 5xx.
	CauseRegistryDown Cause = "RegistryDown"
	// CausePlainHTTP: the registry speaks plain HTTP and the runtime is not told to.
	CausePlainHTTP Cause = "PlainHTTP"
	// CauseKEP2535: the image is on the node, but pulled with other credentials; the pod
	// must pull it with its own, and that pull fails.
	CauseKEP2535 Cause = "PulledWithOtherCredentials"
	// CauseUnknown: the cause cannot be told from outside the node.
	CauseUnknown Cause = "Unknown"
)

// Finding is one cause with what it means and how to fix it.
type Finding struct {
	Cause Cause `json:"cause"`
	// Summary says what happens, in one sentence.
	Summary string `json:"summary"`
	// Hint is a one-line fix.
	Hint string `json:"hint,omitempty"`
}

// Actual is a container's state as the kubelet reported it.
type Actual struct {
	// State is "waiting", "running", "terminated" or "unknown" (no status yet).
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Events are the image events recorded for the container (or the pod, for an image
	// volume and for missing Secrets), oldest first.
	Events []Event `json:"events,omitempty"`
	// Agrees says whether the diagnosis explains the state.
	Agrees bool `json:"agrees"`
	// Note explains a disagreement, or what to run on the node.
	Note string `json:"note,omitempty"`
}

// Event is one Kubernetes event.
type Event struct {
	Type    string `json:"type"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Count   int32  `json:"count,omitempty"`
}
