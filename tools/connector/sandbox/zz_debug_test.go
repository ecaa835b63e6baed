package sandbox

import "testing"

func TestZZDebug(t *testing.T) {
	v, _ := startVendor(t, NewHostex)
	r := hostexGet(t, v, "/reservations?limit=2", HostexReadOnlyToken)
	t.Logf("%s", r.raw)
	r = hostexGet(t, v, "/conversations?limit=2", HostexReadOnlyToken)
	t.Logf("%s", r.raw)
	id := str(list(r.body, "data.conversations")[0], "id")
	r = hostexGet(t, v, "/conversations/"+id, HostexReadOnlyToken)
	t.Logf("%s", r.raw)
	r = hostexGet(t, v, "/reviews?limit=2", HostexReadOnlyToken)
	t.Logf("%s", r.raw)
	r = hostexGet(t, v, "/nope", HostexReadOnlyToken)
	t.Logf("%d %s", r.status, r.raw)
}
