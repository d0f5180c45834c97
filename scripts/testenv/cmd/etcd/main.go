// Command etcd is the unmodified upstream etcd server, pinned to the version
// kubernetes itself is built and tested against (see gen-replaces.go).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
