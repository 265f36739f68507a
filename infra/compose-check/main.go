// compose-check loads docker-compose.yml with compose-go, the parser Docker Compose itself uses, and
// validates it against the Compose specification. It prints one line per service with its published
// ports ("service host_ip:published->target/protocol ...") and exits non-zero on any error.
//
//	compose-check [-env NAME=VALUE]... path/to/docker-compose.yml
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type envFlags []string

func (e *envFlags) String() string     { return strings.Join(*e, ",") }
func (e *envFlags) Set(v string) error { *e = append(*e, v); return nil }

func main() {
	var env envFlags
	flag.Var(&env, "env", "NAME=VALUE for the interpolation (repeatable); the process environment is not used")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-env NAME=VALUE]... docker-compose.yml")
		os.Exit(2)
	}
	if err := check(flag.Arg(0), env); err != nil {
		fmt.Fprintln(os.Stderr, "compose-check:", err)
		os.Exit(1)
	}
}

func check(file string, env []string) error {
	path, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	options, err := cli.NewProjectOptions(
		[]string{path},
		cli.WithWorkingDirectory(filepath.Dir(path)),
		cli.WithEnv(env),
		cli.WithName("compose-check"),
	)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		ports := make([]string, 0, len(service.Ports))
		for _, port := range service.Ports {
			ports = append(ports, fmt.Sprintf("%s:%s->%d/%s", port.HostIP, port.Published, port.Target, port.Protocol))
		}
		fmt.Println(strings.TrimSpace(name + " " + strings.Join(ports, " ")))
	}
	return nil
}
