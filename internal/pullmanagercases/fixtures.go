// Package pullmanagercases holds the kubelet's own pull-manager test tables and test data,
// translated to this module's types, so that the tests of kubelet/pullmanager (over
// MemoryRecords) and of cache (over FileRecords, on disk) run the same cases.
//
// The source is k8s.io/kubernetes v1.37.2 (identical in v1.36.3),
// pkg/kubelet/images/pullmanager: image_pull_manager_test.go for the tables, and testdata/
// for the files, copied byte for byte into testdata/ here (Apache-2.0, The Kubernetes
// Authors). Case names, inputs and expectations are upstream's; each table cites its line.
package pullmanagercases

import (
	"embed"
	"path"
	"time"

	"github.com/imagepull/imagepull/kubelet/pullmanager"
)

//go:embed testdata
var testdata embed.FS

// Fixture is one file of the kubelet's testdata: an intent in pulling/ or a record in pulled/.
type Fixture struct {
	Dir  string // "pulling" or "pulled"
	Name string // "sha256-" and the hex SHA-256 of the image (pulling) or imageRef (pulled)
	// APIVersion is the file's kubelet.config.k8s.io version, "v1alpha1" or "v1beta1".
	APIVersion string
	// Intent is the image an intent file names.
	Intent string
	// Record is what a record file holds; nil for the one file that is not valid JSON.
	Record *pullmanager.PulledRecord
}

// Bytes returns the file's content as upstream ships it.
func (f Fixture) Bytes() []byte {
	b, err := testdata.ReadFile(path.Join("testdata", f.Dir, f.Name))
	if err != nil {
		panic("pullmanagercases: missing testdata " + f.Dir + "/" + f.Name) // a broken build, not a test outcome
	}
	return b
}

// FixtureTime is the LastUpdatedTime of every upstream record file but one.
var FixtureTime = time.Date(2024, 10, 21, 12, 26, 40, 0, time.UTC)

var (
	fixtureSecret = pullmanager.ImagePullSecret{UID: "testsecretuid", Namespace: "default", Name: "pull-secret", CredentialHash: "testsecrethash"}
	fixtureSA     = pullmanager.ImagePullServiceAccount{UID: "test-sa-uid", Namespace: "default", Name: "test-sa"}
)

func mapping(key string, c pullmanager.ImagePullCredentials) map[string]pullmanager.ImagePullCredentials {
	return map[string]pullmanager.ImagePullCredentials{key: c}
}

// Fixtures returns every upstream testdata file, pulling/ then pulled/, by name. Each call
// returns fresh values.
func Fixtures() []Fixture {
	const test = "docker.io/testing/test"
	return []Fixture{
		{Dir: "pulling", Name: "sha256-5f3ca9e4d82e32203c2fafb410dfae9c8047bc6ebe57d642fe264d479e152955", APIVersion: "v1beta1", Intent: "secretorg/myimage:customtag"},
		{Dir: "pulling", Name: "sha256-6da3dced7eccc7ad0189517c31ec2235b50f730449d738d91525721f7e027fd4", APIVersion: "v1alpha1", Intent: "docker.io/testing/test-alpha:latest"},
		{Dir: "pulling", Name: "sha256-7ffc99ef20589dc844b202c4cba501d1aaf06d1481935aa1e160029afd639847", APIVersion: "v1beta1", Intent: "testing@sha256:f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af"},
		{Dir: "pulling", Name: "sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56", APIVersion: "v1beta1", Intent: "docker.io/testing/test:latest"},
		{Dir: "pulling", Name: "sha256-b6e1482bb6cb030924530b918e609fff30bbb07ab6845451d89deb823c3f72a9", APIVersion: "v1alpha1", Intent: "repo.repo/test/alphatest:v1"},
		{Dir: "pulling", Name: "sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11", APIVersion: "v1beta1", Intent: "repo.repo/test/test:v1"},
		{Dir: "pulling", Name: "sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af", APIVersion: "v1beta1", Intent: "docker.io/testing/test:something"},

		{Dir: "pulled", Name: "sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd", APIVersion: "v1beta1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "test-brokenhash", CredentialMapping: mapping(test,
				pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "default", Name: "pull-secret"}}})}},
		{Dir: "pulled", Name: "sha256-7045bdd498b0e4b3963d50f906793ffbd68dc98686ec46c5b499a0a640a560b2", APIVersion: "v1alpha1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "testemptycredmapping-alpha"}},
		{Dir: "pulled", Name: "sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a", APIVersion: "v1alpha1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "testimageref-sa", CredentialMapping: mapping(test,
				pullmanager.ImagePullCredentials{KubernetesServiceAccounts: []pullmanager.ImagePullServiceAccount{fixtureSA}})}},
		{Dir: "pulled", Name: "sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a", APIVersion: "v1beta1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "testimage-anonpull", CredentialMapping: mapping(test,
				pullmanager.ImagePullCredentials{NodePodsAccessible: true})}},
		{Dir: "pulled", Name: "sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064", APIVersion: "v1beta1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "testimageref", CredentialMapping: mapping(test,
				pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{fixtureSecret}})}},
		{Dir: "pulled", Name: "sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405", APIVersion: "v1alpha1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: time.Date(2025, 6, 21, 12, 26, 40, 0, time.UTC), ImageRef: "testimage-anonpull-alpha",
				CredentialMapping: mapping(test, pullmanager.ImagePullCredentials{NodePodsAccessible: true})}},
		// Not valid JSON (a ':' where a ',' belongs): the record of "testbrokenrecord".
		{Dir: "pulled", Name: "sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263", APIVersion: "v1alpha1"},
		{Dir: "pulled", Name: "sha256-f4058727984875eb66ddbf289f7013096d4cbaa167e591fbcb2e447e36391c1f", APIVersion: "v1alpha1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "policyallowed", CredentialMapping: mapping("docker.io/testing/policyexempt",
				pullmanager.ImagePullCredentials{KubernetesSecrets: []pullmanager.ImagePullSecret{{UID: "testsecretuid", Namespace: "secretns", Name: "pull-secret", CredentialHash: "testsecrethash"}}})}},
		{Dir: "pulled", Name: "sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991", APIVersion: "v1beta1",
			Record: &pullmanager.PulledRecord{LastUpdatedTime: FixtureTime, ImageRef: "testemptycredmapping"}},
	}
}

// Lookup returns the fixture dir/name; it panics on a name upstream does not ship.
func Lookup(dir, name string) Fixture {
	for _, f := range Fixtures() {
		if f.Dir == dir && f.Name == name {
			return f
		}
	}
	panic("pullmanagercases: no fixture " + dir + "/" + name)
}

// Load writes the named fixtures into records, as upstream's teeTestData copies them into a
// directory: intents for pulling/ names, records for pulled/ names.
func Load(records pullmanager.PullRecords, dir string, names []string) error {
	for _, n := range names {
		f := Lookup(dir, n)
		var err error
		switch {
		case f.Dir == "pulling":
			err = records.WritePullIntent(f.Intent)
		case f.Record != nil:
			err = records.WritePulledRecord(*f.Record)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
