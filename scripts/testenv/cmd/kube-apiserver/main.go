// Command kube-apiserver is the unmodified upstream kube-apiserver, built from
// the k8s.io/kubernetes module so tests need no container runtime or download.
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones must work without a host tzdata

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
