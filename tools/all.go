package tools

// All returns every tool, bound to d. Adding a tool is one line here.
func All(d *Deps) []Tool {
	return []Tool{
		whoami(d),
		listConnections(d),
	}
}
