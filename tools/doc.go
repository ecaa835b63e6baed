// Package tools holds hostgate's MCP tools. A tool is a value built by
// [New] from a typed handler: its input and output schemas come from Go
// types, its scope and annotations travel with it, and an error it returns
// becomes a tool error whose text tells the model what to do next. [All]
// lists every tool; nothing registers itself.
//
// The caller arrives in the context as a [Caller], put there by mcpserver
// after it verified the bearer token. tools never imports oauthpkce.
package tools
