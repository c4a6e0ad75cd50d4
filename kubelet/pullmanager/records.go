package pullmanager

import (
	"errors"
	"maps"
	"slices"
	"time"
)

// ErrCorruptRecord is matched by the error a [PullRecords] returns for a record it holds but
// cannot decode. The [Manager] treats such a record as unusable and forces a pull.
var ErrCorruptRecord = errors.New("corrupt image pull record")

// PullIntent records that the kubelet started pulling an image (the kubelet's
// ImagePullIntent). Image is the pod's image string, verbatim.
type PullIntent struct {
	Image string
}

// PulledRecord records that the kubelet pulled an image, and with which credentials (the
// kubelet's ImagePulledRecord). There is one per image ID.
type PulledRecord struct {
	// LastUpdatedTime is when the record last changed; the kubelet stores it to the second.
	LastUpdatedTime time.Time
	// ImageRef is the runtime's image ID.
	ImageRef string
	// CredentialMapping maps a pod image string without tag or digest, as written and not
	// normalised ([RecordKey]: "nginx" for "nginx:1.25", "docker.io/library/nginx" for
	// "docker.io/library/nginx:1.25"), to the credentials that pulled the image under that
	// name. An empty mapping means "pulled by the kubelet, credentials unknown": every pod
	// must verify.
	CredentialMapping map[string]ImagePullCredentials
}

// ImagePullCredentials are the credentials a repository name of an image was pulled with.
type ImagePullCredentials struct {
	// KubernetesSecrets are the pull Secrets that worked, sorted by namespace, name and UID
	// once merged.
	KubernetesSecrets []ImagePullSecret
	// KubernetesServiceAccounts are the service accounts whose credentials worked.
	KubernetesServiceAccounts []ImagePullServiceAccount
	// NodePodsAccessible means no pod-specific credential was needed (anonymous pull or node
	// credentials): every pod on the node may use the image.
	NodePodsAccessible bool
}

// ImagePullSecret identifies a pull Secret and the hash of the credential it held
// ([credential.Hash]).
type ImagePullSecret struct {
	UID            string
	Namespace      string
	Name           string
	CredentialHash string
}

// ImagePullServiceAccount identifies a service account whose credentials pulled an image.
type ImagePullServiceAccount struct {
	UID       string
	Namespace string
	Name      string
}

// Clone returns a deep copy of r.
func (r PulledRecord) Clone() PulledRecord {
	if r.CredentialMapping != nil {
		m := make(map[string]ImagePullCredentials, len(r.CredentialMapping))
		for k, v := range r.CredentialMapping {
			m[k] = v.Clone()
		}
		r.CredentialMapping = m
	}
	return r
}

// Clone returns a deep copy of c.
func (c ImagePullCredentials) Clone() ImagePullCredentials {
	c.KubernetesSecrets = slices.Clone(c.KubernetesSecrets)
	c.KubernetesServiceAccounts = slices.Clone(c.KubernetesServiceAccounts)
	return c
}

// Equal reports whether r and o hold the same data (times compared with [time.Time.Equal]; a
// nil and an empty mapping or list are equal).
func (r PulledRecord) Equal(o PulledRecord) bool {
	return r.LastUpdatedTime.Equal(o.LastUpdatedTime) && r.ImageRef == o.ImageRef &&
		maps.EqualFunc(r.CredentialMapping, o.CredentialMapping, ImagePullCredentials.Equal)
}

// Equal reports whether c and o hold the same credentials in the same order.
func (c ImagePullCredentials) Equal(o ImagePullCredentials) bool {
	return c.NodePodsAccessible == o.NodePodsAccessible &&
		slices.Equal(c.KubernetesSecrets, o.KubernetesSecrets) &&
		slices.Equal(c.KubernetesServiceAccounts, o.KubernetesServiceAccounts)
}

// PullRecords stores pull intents and pulled records (the kubelet's PullRecordsAccessor).
// Implementations must be safe for concurrent use, and must neither keep nor share the
// records passed in or returned (copy them).
//
// Errors: an I/O failure is returned as is; a record that exists but cannot be decoded gives
// an error matching [ErrCorruptRecord]. The List methods return what they could read together
// with the errors met on the way (errors.Join).
type PullRecords interface {
	// ListPullIntents returns every intent.
	ListPullIntents() ([]PullIntent, error)
	// PullIntentExists reports whether an intent for exactly this image string exists.
	PullIntentExists(image string) (bool, error)
	// WritePullIntent stores an intent for image (idempotent).
	WritePullIntent(image string) error
	// DeletePullIntent removes the intent for image; removing a missing intent is not an error.
	DeletePullIntent(image string) error

	// ListPulledRecords returns every pulled record.
	ListPulledRecords() ([]PulledRecord, error)
	// GetPulledRecord returns the record for imageRef. A record stored for imageRef that
	// cannot be decoded gives exists = true and an error matching [ErrCorruptRecord]; a record
	// stored under imageRef's key but naming another image is not found.
	GetPulledRecord(imageRef string) (rec PulledRecord, exists bool, err error)
	// WritePulledRecord stores rec under rec.ImageRef, replacing any previous record.
	WritePulledRecord(rec PulledRecord) error
	// DeletePulledRecord removes the record for imageRef; removing a missing record is not an
	// error.
	DeletePulledRecord(imageRef string) error
}
