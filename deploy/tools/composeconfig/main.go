// composeconfig validates a Compose file the way `docker compose config` does, without a Docker
// engine or the compose CLI: compose-go (the library the compose CLI loads files with) parses it,
// checks it against the Compose specification's schema, interpolates variables, resolves anchors
// and merges, checks that every depends_on names a service, and prints the normalized model.
//
//	go run . -f ../../../docker-compose.yml [--profile NAME ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type profiles []string

func (p *profiles) String() string     { return strings.Join(*p, ",") }
func (p *profiles) Set(v string) error { *p = append(*p, v); return nil }

func main() {
	file := flag.String("f", "docker-compose.yml", "the Compose file")
	var active profiles
	flag.Var(&active, "profile", "a profile to enable (repeatable; '*' for all)")
	flag.Parse()

	out, err := render(*file, active)
	if err == nil {
		_, err = os.Stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "composeconfig: %s: %v\n", *file, err)
		os.Exit(1)
	}
}

// render loads the file with the profiles enabled and returns the normalized model as YAML.
func render(file string, active []string) ([]byte, error) {
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithOsEnv, cli.WithProfiles(active), cli.WithName("fitlake"))
	if err != nil {
		return nil, err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return nil, err
	}
	return project.MarshalYAML()
}
