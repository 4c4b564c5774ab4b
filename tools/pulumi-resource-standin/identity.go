package main

import "strings"

// identity reads the package a stand-in serves from the name it was started
// under (pulumi-resource-<package>) and the version from its plugin directory
// (resource-<package>-v<version>, as the engine's plugin cache lays it out).
// The version is empty when the directory does not name one.
func identity(exe, dir string) (pkg, version string) {
	exe = strings.TrimSuffix(exe, ".exe")
	pkg, ok := strings.CutPrefix(exe, "pulumi-resource-")
	if !ok || pkg == "" || pkg == "standin" {
		return "", ""
	}
	if v, ok := strings.CutPrefix(dir, "resource-"+pkg+"-v"); ok {
		version = v
	}
	return pkg, version
}
