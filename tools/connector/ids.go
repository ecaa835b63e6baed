package connector

import (
	"fmt"
	"strings"
)

// QualifiedID joins a vendor name and the vendor's own id ("hostex:12111947"),
// so that a later tool call routes without a vendor argument.
func QualifiedID(vendor, id string) string {
	if id == "" {
		return ""
	}
	return vendor + ":" + id
}

// SplitID splits a qualified id into vendor and the vendor's own id.
func SplitID(qualified string) (vendor, id string, err error) {
	vendor, id, ok := strings.Cut(qualified, ":")
	if !ok || vendor == "" || id == "" {
		return "", "", fmt.Errorf("%w: %q is not a vendor-qualified id like hostex:12111947", ErrBadRequest, qualified)
	}
	return vendor, id, nil
}
