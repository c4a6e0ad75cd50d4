package tlstest_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/imagepull/imagepull/internal/tlstest"
)

// A CA and a serving certificate for a webhook's Service name.
func Example() {
	ca, err := tlstest.NewCA("imagepull-test-ca")
	if err != nil {
		fmt.Println(err)
		return
	}
	pair, err := ca.Issue("imagepull-webhook.imagepull.svc", "127.0.0.1")
	if err != nil {
		fmt.Println(err)
		return
	}
	block, _ := pem.Decode(pair.CertPEM)
	cert, _ := x509.ParseCertificate(block.Bytes)
	_, err = cert.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "imagepull-webhook.imagepull.svc"})
	fmt.Println(cert.DNSNames, cert.IPAddresses, err)
	// Output: [imagepull-webhook.imagepull.svc] [127.0.0.1] <nil>
}
