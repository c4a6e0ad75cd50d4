package cri

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/imagepull/imagepull/internal/redact"
)

// rpcError is a failed CRI call. Its text is what the kubelet's CRI client reports; it keeps
// the gRPC status (status.FromError finds it) and, when the call ended because its context
// did, the context's error (errors.Is finds it).
type rpcError struct {
	text   string
	status *status.Status
	ctxErr error // context.Canceled or context.DeadlineExceeded, or nil
}

func (e *rpcError) Error() string              { return e.text }
func (e *rpcError) GRPCStatus() *status.Status { return e.status }
func (e *rpcError) Unwrap() error              { return e.ctxErr }

// callError converts the error of a call made under ctx. With stripUnknown (PullImage) a
// status with code Unknown is reduced to its message, as the kubelet's CRI client does so that
// "RegistryUnavailable…" and "SignatureValidationFailed…" prefixes classify; any other status
// keeps its full "rpc error: code = … desc = …" text. An error that is not a gRPC status is
// returned unchanged.
func callError(ctx context.Context, err error, stripUnknown bool) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &rpcError{text: err.Error(), status: st}
	if stripUnknown && st.Code() == codes.Unknown {
		e.text = st.Message()
	}
	if c := st.Code(); (c == codes.Canceled || c == codes.DeadlineExceeded) && ctx.Err() != nil {
		e.ctxErr = ctx.Err()
	}
	return e
}

// maskAuth masks the secrets of auth in the error of a pull made with it (see
// [Client.PullImage]). An rpcError keeps its code and context error, its text and status
// message masked; another error becomes one whose text is masked and which still matches the
// context errors it matched.
func maskAuth(err error, auth *runtimeapi.AuthConfig) error {
	if err == nil || auth == nil {
		return err
	}
	var set redact.Set
	set.AddBasic(auth.GetUsername(), auth.GetPassword())
	if a := auth.GetAuth(); a != "" {
		set.Add(a)
		set.AddAuthorization("Basic " + a)
	}
	set.Add(auth.GetIdentityToken())
	set.Add(auth.GetRegistryToken())
	if e, ok := err.(*rpcError); ok {
		text := set.String(e.text)
		msg := set.String(e.status.Message())
		if text == e.text && msg == e.status.Message() {
			return e
		}
		return &rpcError{text: text, status: status.New(e.status.Code(), msg), ctxErr: e.ctxErr}
	}
	return set.Error(err, context.Canceled, context.DeadlineExceeded)
}
