// Command etcd is etcd's own server, built from go.etcd.io/etcd/server/v3 at the release Kubernetes pins.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
