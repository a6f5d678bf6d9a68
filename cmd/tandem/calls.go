package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"time"

	"tandem"
	"tandem/calls"
)

func (m *Main) callsImport(ctx context.Context, g *globals, args []string) error {
	flags := flag.NewFlagSet("calls import", flag.ContinueOnError)
	format := flags.String("format", "", "asterisk or csv")
	zone := flags.String("tz", "", "the PBX's time zone, an IANA name such as Europe/London (asterisk)")
	as := flags.String("as", "", "the username of the controller (their sources) or administrator (the whole force's) who imports")
	file, err := m.parseWithFile(flags, g, args)
	if err != nil {
		return err
	}
	if *as == "" {
		return usagef("calls import: --as is required: a controller imports for their sources, an administrator for the whole force")
	}
	if file == "" {
		return usagef("calls import: name the file: tandem calls import --format asterisk|csv --tz ZONE FILE")
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return usagef("calls import: %s does not exist", file)
	} else if err != nil {
		return usagef("calls import: %v", err)
	}
	defer f.Close()
	var src tandem.CallSource
	switch *format {
	case "asterisk":
		if *zone == "" {
			return usagef("calls import: --tz is required for Asterisk records (the PBX's zone, such as Europe/London)")
		}
		loc, err := time.LoadLocation(*zone)
		if err != nil {
			return usagef("--tz: unknown time zone %q: give an IANA name such as Europe/London", *zone)
		}
		src = calls.Source(calls.NewAsteriskReader(f, loc))
	case "csv":
		rd, err := calls.NewCSVReader(f)
		if err != nil {
			return usagef("calls import: %s: %v", file, err)
		}
		src = calls.Source(rd)
	default:
		return usagef("--format: give asterisk or csv")
	}
	store, actx, err := m.openAs(ctx, g, *as)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.ImportCalls(tandem.NewContextFromCommandLine(actx), *format, src)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d lines: %d calls imported, %d duplicates, %d ignored (no source involved), %d rejected; %d documented, %d undocumented (%d alerts raised)\n",
		res.Lines, res.Imported, res.Duplicates, res.Ignored, res.RejectedTotal, res.Matched, res.Undocumented, res.AlertsRaised)
	for _, r := range res.Rejected {
		fmt.Fprintf(m.Stdout, "  line %d: %s\n", r.Line, r.Reason)
	}
	if more := res.RejectedTotal - len(res.Rejected); more > 0 {
		fmt.Fprintf(m.Stdout, "  ... and %d more rejected lines\n", more)
	}
	return nil
}
