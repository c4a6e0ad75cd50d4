// Package plugintest provides an in-memory [plugin.ServiceAccountTokens] for tests of code that
// runs credential provider plugins in service-account mode (KEP-4412), where a real kubelet
// would ask the API server.
package plugintest
