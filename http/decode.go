package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"tandem"
)

// maxBody is the largest request body the API reads (CONTRACT: 1 MiB).
const maxBody = 1 << 20

// decode reads a JSON body strictly into v: an unknown field, a wrong type,
// trailing data or a body over 1 MiB is an error naming what was wrong.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return tandem.Errorf(tandem.EINVALID, "send the body as application/json")
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	if err := strict(body, fieldNames(reflect.TypeOf(v))); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return tandem.Errorf(tandem.EINVALID, "the body holds more than one JSON value")
	}
	return nil
}

// strict reads the body as JSON tokens, before it is decoded, and refuses
// what encoding/json would let through: a duplicate member name (which of
// the two would count?), a name in the wrong case ("Summary" for
// "summary": encoding/json matches names in any case), invalid UTF-8
// (which it would quietly replace) and a NUL character (which PostgreSQL
// cannot store, and which hides text from whoever reads it). Each is named
// by its top-level field. Everything else (syntax, types, unknown names)
// is left to the decoder's own errors.
func strict(body []byte, known map[string]bool) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.ReadToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var se *jsontext.SyntacticError
			if !errors.As(err, &se) {
				return nil // the decoder names it
			}
			field := topField(se.JSONPointer)
			switch {
			case errors.Is(se.Err, jsontext.ErrDuplicateName):
				return tandem.Invalid(field, "%s is given twice", field)
			case !utf8.Valid(body):
				if field == "" {
					return tandem.Errorf(tandem.EINVALID, "the body is not valid UTF-8")
				}
				return tandem.Invalid(field, "%s is not valid UTF-8", field)
			case field != "":
				// Whatever else jsontext refuses (a lone surrogate, which
				// encoding/json would quietly replace) is refused here: no
				// body goes on to the decoder half-checked.
				return tandem.Invalid(field, "%s: malformed JSON at byte %d", field, se.ByteOffset)
			}
			return tandem.Errorf(tandem.EINVALID, "malformed JSON at byte %d", se.ByteOffset)
		}
		if tok.Kind() != '"' {
			continue
		}
		text := tok.String()
		field := topField(dec.StackPointer())
		kind, n := dec.StackIndex(dec.StackDepth())
		if kind == '{' && n%2 == 1 && !known[text] {
			for k := range known {
				if strings.EqualFold(k, text) {
					return tandem.Invalid(text, "field names are case-sensitive: write %q, not %q", k, text)
				}
			}
		}
		if strings.IndexByte(text, 0) >= 0 {
			return tandem.Invalid(field, "%s holds a NUL character", field)
		}
	}
}

// topField is the top-level member a JSON pointer lies in: "summary" for
// "/summary", "officer_ids" for "/officer_ids/0".
func topField(p jsontext.Pointer) string {
	for tok := range p.Tokens() {
		return tok
	}
	return ""
}

// fieldNames are the JSON names of a request type's fields, at any depth,
// for telling a name in the wrong case from an unknown one.
func fieldNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || depth > 4 {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			names[name] = true
			walk(f.Type, depth+1)
		}
	}
	walk(t, 0)
	return names
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tandem.Errorf(tandem.ETOOLARGE, "the body is larger than 1 MiB")
	case errors.Is(err, io.EOF):
		return tandem.Errorf(tandem.EINVALID, "the body is empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tandem.Errorf(tandem.EINVALID, "the body is cut short: malformed JSON")
	case errors.As(err, &syntax):
		return tandem.Errorf(tandem.EINVALID, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return tandem.Errorf(tandem.EINVALID, "the body must be a JSON object")
		}
		return tandem.Invalid(field, "%s: expected %s, got a JSON %s", field, jsonType(typ.Type.String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return tandem.Invalid(name, "unknown field %q", name)
	}
	return tandem.Errorf(tandem.EINVALID, "the body could not be read as JSON")
}

// jsonType names a Go type as a JSON user knows it.
func jsonType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string" || strings.HasSuffix(goType, "Kind") || strings.HasSuffix(goType, "Role") || strings.HasSuffix(goType, "Category") || strings.HasSuffix(goType, "Status") || strings.HasSuffix(goType, "Indicator"):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "float") || strings.HasPrefix(goType, "uint"):
		return "a number"
	}
	return "of another type"
}

// parseTime reads an RFC 3339 time with a zone, naming the field when it
// cannot.
func parseTime(field string, v *string, required bool) (time.Time, error) {
	if v == nil || *v == "" {
		if required {
			return time.Time{}, tandem.Invalid(field, "%s is required (RFC 3339 with a zone, such as 2026-11-26T14:30:00Z)", field)
		}
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *v)
	if err != nil {
		return time.Time{}, tandem.Invalid(field, "%s must be an RFC 3339 time with a zone, such as 2026-11-26T14:30:00Z", field)
	}
	return t.UTC(), nil
}

// require names the first missing required field.
func require(fields ...any) error {
	for i := 0; i+1 < len(fields); i += 2 {
		name := fields[i].(string)
		missing := false
		switch v := fields[i+1].(type) {
		case *string:
			missing = v == nil
		case *int:
			missing = v == nil
		case *float64:
			missing = v == nil
		case *bool:
			missing = v == nil
		case []string:
			missing = v == nil
		default:
			panic(fmt.Sprintf("require: unsupported type %T", v))
		}
		if missing {
			return tandem.Invalid(name, "%s is required", name)
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
