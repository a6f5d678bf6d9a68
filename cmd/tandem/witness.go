package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tandem/checkpoint"
)

// auditWitness holds a server's audit log to its past (CONTRACT, "The
// audit trail as a transparency log"): it fetches a signed checkpoint,
// checks its signature under the key pinned in the state file and that it
// extends the last checkpoint the state holds, then keeps it. Exit 0 when
// consistent, 1 when the log shrank, was rolled back or forked, or a
// signature does not verify, 2 when the server cannot be asked. The token
// is never written to the state.
func (m *Main) auditWitness(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("audit witness", flag.ContinueOnError)
	base := fs.String("url", "", "the Tandem server's root URL, e.g. https://tandem.example")
	token := fs.String("token", "", "an auditor's API token")
	statePath := fs.String("state", "", "the witness's state file: the log's key and the checkpoints seen")
	pin := fs.String("key", "", "the log's verifier key, to pin on the first run (from tandem audit key on the server); fetched from the server when left out")
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	switch {
	case *base == "":
		return usagef("audit witness: --url is required")
	case *token == "":
		return usagef("audit witness: --token is required")
	case *statePath == "":
		return usagef("audit witness: --state is required")
	}
	u, err := url.Parse(strings.TrimSuffix(*base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("audit witness: --url %q is not an http or https URL", *base)
	}
	c := witnessClient{base: u.String(), token: *token, http: &http.Client{Timeout: 30 * time.Second}}

	state, err := checkpoint.LoadState(*statePath)
	first := errors.Is(err, iofs.ErrNotExist)
	switch {
	case first:
		vkey := *pin
		if vkey == "" {
			b, err := c.get(ctx, "/audit/key")
			if err != nil {
				return usagef("audit witness: %v", err)
			}
			vkey = strings.TrimSpace(string(b))
		}
		if state, err = checkpoint.NewState(vkey); err != nil {
			return usagef("audit witness: %v", err)
		}
	case err != nil:
		return usagef("audit witness: %v", err)
	case *pin != "" && strings.TrimSpace(*pin) != state.Key:
		return checkFailed{fmt.Sprintf("audit witness: the state pins the log's key %s, not the key given", state.Key)}
	}

	note, err := c.get(ctx, "/audit/checkpoint")
	if err != nil {
		return usagef("audit witness: %v", err)
	}
	if !bytes.HasPrefix(note, []byte(checkpoint.OriginPrefix)) {
		// A proxy's page, say: the server was not asked.
		return usagef("audit witness: the server's answer to /api/v1/audit/checkpoint is not a checkpoint")
	}
	next, err := checkpoint.Open(note, state.Verifier())
	if err != nil {
		return checkFailed{fmt.Sprintf("audit witness: the server's checkpoint: %v", err)}
	}
	last, seen := state.Last()
	if seen {
		var hashes [][]byte
		if next.Size > last.Size {
			if hashes, err = c.consistency(ctx, last.Size, next.Size); err != nil {
				return usagef("audit witness: %v", err)
			}
		}
		if err := checkpoint.Consistent(last, next, hashes); err != nil {
			return checkFailed{"audit witness: " + err.Error()}
		}
	}
	if !seen || next.Size > last.Size {
		state.Checkpoints = append(state.Checkpoints, next)
		if err := state.Save(*statePath); err != nil {
			return usagef("audit witness: %v", err)
		}
	}
	switch {
	case first:
		fmt.Fprintf(m.Stdout, "the log %s holds %d entries; its key is pinned now: %s\n", next.Origin, next.Size, state.Key)
	case next.Size == last.Size:
		fmt.Fprintf(m.Stdout, "consistent: the log %s still holds %d entries\n", next.Origin, next.Size)
	default:
		fmt.Fprintf(m.Stdout, "consistent: the log %s grew from %d entries to %d\n", next.Origin, last.Size, next.Size)
	}
	return nil
}

// witnessClient asks a Tandem server for its checkpoints and proofs.
type witnessClient struct {
	base, token string
	http        *http.Client
}

// get returns the body of a 200 answer to GET /api/v1 + path.
func (c witnessClient) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1"+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		// The URL, not the error's own quoting of it with the token's
		// request: the error names what could not be reached.
		return nil, fmt.Errorf("the server at %s cannot be reached: %v", c.base, errors.Unwrap(err))
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", path, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
			return nil, fmt.Errorf("the server refused %s: %d %s: %s", path, res.StatusCode, e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("the server refused %s: %s", path, res.Status)
	}
	return body, nil
}

// consistency fetches the proof between two sizes of the tree.
func (c witnessClient) consistency(ctx context.Context, from, to uint64) ([][]byte, error) {
	body, err := c.get(ctx, "/audit/proof/consistency?from="+strconv.FormatUint(from, 10)+"&to="+strconv.FormatUint(to, 10))
	if err != nil {
		return nil, err
	}
	var p struct {
		Hashes [][]byte `json:"hashes"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("the consistency proof is not JSON of base64 hashes: %v", err)
	}
	return p.Hashes, nil
}

// auditKey prints the verifier key of the data folder's checkpoints, for a
// witness to pin: read only.
func (m *Main) auditKey(ctx context.Context, g *globals, args []string) error {
	fs := flag.NewFlagSet("audit key", flag.ContinueOnError)
	if err := m.parse(fs, g, args); err != nil {
		return err
	}
	key, err := checkpoint.LoadKey(g.checkpointKey)
	if err != nil {
		return usagef("audit key: %v", err)
	}
	fmt.Fprintln(m.Stdout, key.VerifierKey())
	return nil
}
