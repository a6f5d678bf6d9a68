package web

import (
	"html/template"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"tandem"
)

// fieldErrors are a form's errors by field, in words, each shown beside
// its field (and "" for one that belongs to no field, shown at the top).
type fieldErrors map[string]string

// errorsOf puts a refusal in words beside its field: the field codes the
// rules speak in ("occurred_at is in the future") become what the form
// calls them ("The time of the contact is in the future").
func errorsOf(err error, names map[string]string) fieldErrors {
	if err == nil {
		return nil
	}
	out := fieldErrors{}
	field := tandem.ErrorField(err)
	if _, ok := names[field]; !ok {
		field = ""
	}
	out[field] = inWords(tandem.ErrorMessage(err), names)
	return out
}

var fieldCode = regexp.MustCompile(`\b[a-z]+(?:_[a-z]+)+\b`)

// inWords writes the field codes in msg as names says them ("occurred_at",
// or a plain word that opens the message, such as "gender must be ..."),
// and starts the sentence with a capital.
func inWords(msg string, names map[string]string) string {
	lower := func(n string) string { return strings.ToLower(n[:1]) + n[1:] }
	msg = fieldCode.ReplaceAllStringFunc(msg, func(w string) string {
		if n, ok := names[w]; ok {
			return lower(n)
		}
		return w
	})
	if first, rest, ok := strings.Cut(msg, " "); ok {
		if n, known := names[first]; known {
			msg = lower(n) + " " + rest
		}
	}
	r, size := utf8.DecodeRuneInString(msg)
	if size == 0 {
		return msg
	}
	return string(unicode.ToUpper(r)) + msg[size:]
}

// sentences writes every error as one paragraph, in the order of their
// fields' names.
func (e fieldErrors) sentences() string {
	fields := make([]string, 0, len(e))
	for f := range e {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(strings.TrimSuffix(e[f], ".") + ".")
	}
	return b.String()
}

// orInvalid is err, or for a form the page itself found fault with (nil),
// an invalid request: what sets the answer's status.
func orInvalid(err error) error {
	if err == nil {
		return tandem.Invalid("", "the form has mistakes")
	}
	return err
}

// invalidAttrs marks a field that has an error for assistive technology,
// pointing at the words beside it (fieldError's id).
func invalidAttrs(e fieldErrors, field string) template.HTMLAttr {
	if e[field] == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="err-` + template.HTMLEscapeString(field) + `"`)
}

// fieldErrorView is what the "field-error" template shows beside a field.
type fieldErrorView struct{ ID, Message string }

func fieldError(e fieldErrors, field string) fieldErrorView {
	return fieldErrorView{ID: "err-" + field, Message: e[field]}
}
