package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"
)

// Hospitable's enrichable shortcodes (public.json, tag Enrichable Shortcodes [C]): values a
// vendor sets on a reservation, which fill %key% in the host's messaging rules. GET
// /reservations/{uuid}/enrichment lists them, GET and PUT /reservations/{uuid}/enrichment/{key}
// read and set one; the keys are guidebook, rental_agreement, smartlock_code and upsell [C].
// "Restricted to Vendors only" [C]: a host's personal access token is refused with 403 [I: the
// refusal is not published]. PUT takes {value}: a string of at most 255 characters, or null
// [C]. An unknown reservation or key is 404 [I].

var hspShortcodeKeys = []string{"guidebook", "rental_agreement", "smartlock_code", "upsell"}

// hspShortcodeMeta is each key's {description, example}: the guidebook's is the reference's
// [C], the others are written alike [I].
var hspShortcodeMeta = map[string][2]string{
	"guidebook":        {"A link to your property guidebook, which will be populated anytime the %guidebook% short code is used in your messaging rules.", "Your guidebook URL"},
	"rental_agreement": {"A link to the rental agreement, which will be populated anytime the %rental_agreement% short code is used in your messaging rules.", "Your rental agreement URL"},
	"smartlock_code":   {"The smart lock code for this stay, which will be populated anytime the %smartlock_code% short code is used in your messaging rules.", "4821"},
	"upsell":           {"A link to your upsells, which will be populated anytime the %upsell% short code is used in your messaging rules.", "Your upsell URL"},
}

// shortcode renders one shortcode of a reservation; the caller holds Vendor.mu.
func (res *hspRes) shortcode(key string) map[string]any {
	var value any
	if v := res.shortcodes[key]; v != nil {
		value = *v
	}
	m := hspShortcodeMeta[key]
	return map[string]any{"key": key, "value": value, "meta": map[string]any{"description": m[0], "example": m[1]}}
}

// enrichmentTarget finds the reservation (by UUID [C]) and checks the caller is a vendor; ok
// is false when it wrote the refusal.
func (h *hospitable) enrichmentTarget(w http.ResponseWriter, r *http.Request, c hspCaller) (*hspRes, bool) {
	if !c.vendorApp {
		h.fail(w, http.StatusForbidden, "This endpoint is restricted to Vendors.")
		return nil, false
	}
	id := r.PathValue("uuid")
	for _, res := range h.res {
		if res.id == id {
			return res, true
		}
	}
	h.fail(w, http.StatusNotFound, "Reservation not found.")
	return nil, false
}

func (h *hospitable) listShortcodes(w http.ResponseWriter, r *http.Request, c hspCaller) {
	res, ok := h.enrichmentTarget(w, r, c)
	if !ok {
		return
	}
	h.v.mu.Lock()
	items := make([]any, 0, len(hspShortcodeKeys))
	for _, k := range hspShortcodeKeys {
		items = append(items, res.shortcode(k))
	}
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": items})
}

func (h *hospitable) getShortcode(w http.ResponseWriter, r *http.Request, c hspCaller) {
	res, ok := h.enrichmentTarget(w, r, c)
	if !ok {
		return
	}
	key := r.PathValue("key")
	if !slices.Contains(hspShortcodeKeys, key) {
		h.fail(w, http.StatusNotFound, "Shortcode not found.")
		return
	}
	h.v.mu.Lock()
	out := res.shortcode(key)
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}

// setShortcode: PUT /reservations/{uuid}/enrichment/{key} {value} [C], answered with the
// shortcode as set [C].
func (h *hospitable) setShortcode(w http.ResponseWriter, r *http.Request, c hspCaller) {
	res, ok := h.enrichmentTarget(w, r, c)
	if !ok {
		return
	}
	key := r.PathValue("key")
	if !slices.Contains(hspShortcodeKeys, key) {
		h.fail(w, http.StatusNotFound, "Shortcode not found.")
		return
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body == nil {
		h.invalid(w, "Malformed JSON body.")
		return
	}
	raw, present := body["value"]
	if !present {
		h.invalid(w, "The value field must be present.")
		return
	}
	var value *string
	if !isNull(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			h.invalid(w, "The value field must be a string or null.")
			return
		}
		if utf8.RuneCountInString(s) > 255 {
			h.invalid(w, "The value field must not be greater than 255 characters.")
			return
		}
		value = &s
	}
	h.v.mu.Lock()
	if res.shortcodes == nil {
		res.shortcodes = map[string]*string{}
	}
	res.shortcodes[key] = value
	out := res.shortcode(key)
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
}
